using System;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Telemetry;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Telemetry;

/// <summary>The specification's metrics API: Increment, Gauge, Timing and GetStats in its JSON shape, and its bad input.</summary>
public sealed class ThrottleMetricsTests
{
    private readonly ThrottleMetrics _metrics = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = new TestClock() }).Metrics;

    [Fact]
    public void GetStats_returns_counters_gauges_and_histograms_in_the_specifications_shape()
    {
        _metrics.Increment("limiter.accepted", 100);
        _metrics.Increment("limiter.accepted", 50);
        _metrics.Increment("limiter.rejected");
        _metrics.Gauge("queue.size", 9);
        _metrics.Gauge("queue.size", 5);
        _metrics.Gauge("limiter.tokens", 7.5);
        for (var i = 1; i <= 100; i++)
        {
            _metrics.Timing("queue.worker.0", i);
        }

        var stats = _metrics.GetStats();
        Assert.Equal(150, stats.Counters["limiter.accepted"]);
        Assert.Equal(1, stats.Counters["limiter.rejected"]);
        Assert.Equal(5, stats.Gauges["queue.size"]);
        Assert.Equal(7.5, stats.Gauges["limiter.tokens"]);
        var timing = stats.Histograms["queue.worker.0"];
        Assert.Equal(100, timing.Count);
        Assert.Equal(50.5, timing.Mean, 9);
        Assert.InRange(timing.P50, 50 * 0.99, 50 * 1.01);
        Assert.InRange(timing.P95, 95 * 0.99, 95 * 1.01);
        Assert.InRange(timing.P99, 99 * 0.99, 99 * 1.01);

        using var json = JsonDocument.Parse(stats.ToJson());
        var root = json.RootElement;
        Assert.Equal(["counters", "gauges", "histograms"], root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(150, root.GetProperty("counters").GetProperty("limiter.accepted").GetDouble());
        Assert.Equal(5, root.GetProperty("gauges").GetProperty("queue.size").GetDouble());
        var histogram = root.GetProperty("histograms").GetProperty("queue.worker.0");
        Assert.Equal(["count", "mean", "p50", "p95", "p99"], histogram.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(100, histogram.GetProperty("count").GetInt64());
        Assert.Equal(timing.P99, histogram.GetProperty("p99").GetDouble());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1st")]
    [InlineData("_private")]
    [InlineData("has space")]
    [InlineData("brace{d}")]
    [InlineData("ünicode")]
    [InlineData("throttle.rate_limit.requests")]
    [InlineData("Throttle.mine")]
    public void Bad_names_are_refused_naming_the_parameter(string? name)
    {
        Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => _metrics.Increment(name!)).ParamName);
        Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => _metrics.Gauge(name!, 1)).ParamName);
        Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => _metrics.Timing(name!, 1)).ParamName);
        Assert.Empty(_metrics.GetStats().Counters);
    }

    [Fact]
    public void A_name_too_long_is_refused_and_the_longest_allowed_works()
    {
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => _metrics.Increment(new string('a', 256))).ParamName);
        _metrics.Increment(new string('a', 255));
        Assert.Equal(1, _metrics.GetStats().Counters[new string('a', 255)]);
    }

    [Fact]
    public void A_name_keeps_its_kind()
    {
        _metrics.Increment("jobs");
        var error = Assert.Throws<ArgumentException>(() => _metrics.Timing("jobs", 1));
        Assert.Equal("name", error.ParamName);
        Assert.Contains("already a counter", error.Message);
        Assert.Throws<ArgumentException>(() => _metrics.Gauge("jobs", 1));
        Assert.Equal(1, _metrics.GetStats().Counters["jobs"]);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1)]
    [InlineData(-0.001)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Bad_timings_and_increments_are_refused(double value)
    {
        Assert.Equal("milliseconds", Assert.Throws<ArgumentOutOfRangeException>(() => _metrics.Timing("t", value)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => _metrics.Increment("c", value)).ParamName);
        Assert.Empty(_metrics.GetStats().Histograms);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Bad_gauges_are_refused_and_negative_ones_are_kept(double value)
    {
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => _metrics.Gauge("g", value)).ParamName);
        _metrics.Gauge("g", -3);
        Assert.Equal(-3, _metrics.GetStats().Gauges["g"]);
    }

    [Fact]
    public async Task GetStats_while_many_threads_record_gives_consistent_snapshots()
    {
        const int Threads = 4;
        const int PerThread = 50_000;
        using var go = new Barrier(Threads + 1);
        var writers = Enumerable.Range(0, Threads).Select(_ => Task.Run(() =>
        {
            go.SignalAndWait();
            for (var i = 0; i < PerThread; i++)
            {
                _metrics.Increment("work.done");
                _metrics.Timing("work.time", 5);
            }
        })).ToArray();

        go.SignalAndWait();
        var last = 0.0;
        var snapshots = 0;
        while (!writers.All(w => w.IsCompleted) || snapshots == 0)
        {
            var stats = _metrics.GetStats();
            snapshots++;
            if (stats.Counters.TryGetValue("work.done", out var done))
            {
                Assert.True(done >= last, $"a counter went back from {last} to {done}");
                last = done;
            }

            if (stats.Histograms.TryGetValue("work.time", out var time))
            {
                // Each histogram is read whole: its count, mean and percentiles belong to one moment.
                Assert.Equal(5, time.Mean, 9);
                Assert.Equal(5, time.P50);
                Assert.Equal(5, time.P99);
            }
        }

        await Task.WhenAll(writers);
        var final = _metrics.GetStats();
        Assert.Equal(Threads * PerThread, final.Counters["work.done"]);
        Assert.Equal(Threads * PerThread, final.Histograms["work.time"].Count);
    }

    [Fact]
    public void Each_runtime_has_its_own_figures()
    {
        var other = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = new TestClock() }).Metrics;
        _metrics.Increment("mine", 2);
        other.Increment("mine", 5);
        Assert.Equal(2, _metrics.GetStats().Counters["mine"]);
        Assert.Equal(5, other.GetStats().Counters["mine"]);
    }

    [Fact]
    public async Task WritePrometheusAsync_writes_the_exposition_of_values_recorded_after_its_first_call()
    {
        using var warmUp = new System.IO.MemoryStream();
        await _metrics.WritePrometheusAsync(warmUp);
        _metrics.Increment("orders.placed", 4);
        using var body = new System.IO.MemoryStream();
        await _metrics.WritePrometheusAsync(body);
        var text = System.Text.Encoding.UTF8.GetString(body.ToArray());
        Assert.Contains("# TYPE orders_placed_total counter", text);
        Assert.Contains("orders_placed_total 4", text);
        await Assert.ThrowsAsync<ArgumentNullException>(() => _metrics.WritePrometheusAsync(null!));
    }
}
