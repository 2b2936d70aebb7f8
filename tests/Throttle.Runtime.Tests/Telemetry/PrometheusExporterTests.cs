using System;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Telemetry;
using Throttle.Testing.Prometheus;
using Throttle.Tests.Infrastructure;
using Throttle.Tests.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Telemetry;

/// <summary>The stand-alone exporter: bad input, a port in use, its exposition checked by promtool, and a real Prometheus scraping it.</summary>
public sealed class PrometheusExporterTests : IDisposable
{
    private const string Scope = "Ns.Type.Scraped()";
    private readonly TelemetryTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    public void Ports_outside_the_range_are_refused(int port) =>
        Assert.Equal("port", Assert.Throws<ArgumentOutOfRangeException>(() => new PrometheusExporter(port, _kit.Runtime)).ParamName);

    [Theory]
    [InlineData("")]
    [InlineData("http://x")]
    [InlineData("a b")]
    public void Bad_hosts_are_refused(string host) =>
        Assert.Equal("host", Assert.ThrowsAny<ArgumentException>(() => new PrometheusExporter(9090, _kit.Runtime, host)).ParamName);

    [Fact]
    public async Task A_port_in_use_fails_at_once_with_an_error_naming_the_port()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        await using var exporter = new PrometheusExporter(port, _kit.Runtime, "127.0.0.1");

        var started = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => exporter.StartAsync());
        Assert.Contains(port.ToString(CultureInfo.InvariantCulture), error.Message);
        Assert.False(exporter.IsRunning);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), "a port in use must fail, not hang");

        // The port is free again once its occupant leaves: the failed start left nothing behind.
        occupant.Stop();
        await exporter.StartAsync();
        Assert.True(exporter.IsRunning);
    }

    [PrometheusFact]
    public async Task The_exposition_passes_promtool_and_stopping_frees_the_port()
    {
        var port = RedisTestHelpers.FreePort();
        var exporter = new PrometheusExporter(port, _kit.Runtime, "127.0.0.1");
        await exporter.StartAsync();
        await RecordAsync();

        using var http = new HttpClient();
        var text = await http.GetStringAsync(exporter.Url);
        Assert.Contains("throttle_rate_limit_requests_total{", text);
        Assert.Contains("orders_placed_total", text);
        Assert.Contains("checkout_time_seconds_bucket", text);

        var (exitCode, output) = await PromTool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{output}\n--- exposition ---\n{text}");

        await exporter.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => exporter.StartAsync());
        using var again = new TcpListener(IPAddress.Loopback, port);
        again.Start(); // the port was released
    }

    [PrometheusFact]
    public async Task A_real_Prometheus_scrapes_the_values_GetStats_reports()
    {
        var port = RedisTestHelpers.FreePort();
        await using var exporter = new PrometheusExporter(port, _kit.Runtime, "127.0.0.1");
        var metrics = _kit.Runtime.Metrics;
        await exporter.StartAsync();
        await RecordAsync();

        await using var prometheus = await PrometheusServer.StartAsync("127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), new Uri(exporter.Url).AbsolutePath);
        var stats = metrics.GetStats();
        var acquired = stats.Counters[$"throttle.rate_limit.requests{{throttle.rate_limit.limiter={Scope},throttle.rate_limit.result=acquired}}"];
        var rejected = stats.Counters[$"throttle.rate_limit.requests{{throttle.rate_limit.limiter={Scope},throttle.rate_limit.result=rejected}}"];
        Assert.Equal(3, acquired);
        Assert.Equal(1, rejected);

        var patience = TimeSpan.FromSeconds(60);
        Assert.Equal(acquired, await prometheus.QueryUntilAsync(
            $"throttle_rate_limit_requests_total{{throttle_rate_limit_limiter=\"{Scope}\",throttle_rate_limit_result=\"acquired\"}}", v => v == acquired, patience));
        Assert.Equal(rejected, await prometheus.QueryUntilAsync(
            $"throttle_rate_limit_requests_total{{throttle_rate_limit_result=\"rejected\"}}", v => v == rejected, patience));
        Assert.Equal(stats.Counters["orders.placed"], await prometheus.QueryUntilAsync("orders_placed_total", v => v == 7, patience));
        Assert.Equal(stats.Gauges["queue.size"], await prometheus.QueryUntilAsync("queue_size", v => v == 5, patience));
        var timing = stats.Histograms["checkout.time"];
        Assert.Equal(timing.Count, await prometheus.QueryUntilAsync("checkout_time_seconds_count", v => v == 100, patience));
        Assert.Equal(timing.Mean * timing.Count / 1000, await prometheus.QueryUntilAsync("checkout_time_seconds_sum", v => Math.Abs(v - 5.05) < 1e-9, patience), 9);

        // Values recorded later reach Prometheus on the next scrape.
        metrics.Increment("orders.placed", 3);
        Assert.Equal(10, await prometheus.QueryUntilAsync("orders_placed_total", v => v == 10, patience));
    }

    private async Task RecordAsync()
    {
        var metrics = _kit.Runtime.Metrics;
        var site = Sites.RateLimit(Scope, 3, 60, 0, RateLimitStrategy.TokenBucket, null, null, 0);
        using (ThrottleRuntime.Use(_kit.Runtime))
        {
            for (var i = 0; i < 3; i++)
            {
                await site.AcquireAsync("user-0", CancellationToken.None);
            }

            await Assert.ThrowsAsync<RateLimitRejectedException>(() => site.AcquireAsync("user-0", CancellationToken.None).AsTask());
        }

        metrics.Increment("orders.placed", 7);
        metrics.Gauge("queue.size", 5);
        for (var i = 1; i <= 100; i++)
        {
            metrics.Timing("checkout.time", i);
        }
    }
}
