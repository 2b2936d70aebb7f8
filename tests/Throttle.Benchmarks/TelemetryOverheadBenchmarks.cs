using System;
using System.Diagnostics.Metrics;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Throttle.Infrastructure;
using Throttle.Limiters;
using Throttle.Policies;

namespace Throttle.Benchmarks;

/// <summary>
/// What the rate-limit telemetry hook adds to a [RateLimit] call with a free permit, in one run against the path before
/// the hook (the ratio baseline: the site's limiter called directly, as RateLimitSite did before telemetry). Goals:
/// no listener ≤ +2 ns, a listener ≤ +25 ns, 0 B in both. "With a listener" is a MeterListener with an empty callback
/// (what any exporter pays at least); "with GetStats" is Throttle's own aggregation behind ThrottleMetrics.GetStats.
/// </summary>
[MemoryDiagnoser]
public class TelemetryOverheadBenchmarks
{
    private const string Key = "user-42";

    private readonly RateLimitSite _site = new("Bench.Telemetry.Get()", new RateLimitOptions { Rate = RateLimitedService.HugeRate });
    private ThrottleRuntime _quiet = null!;
    private ThrottleLimiter _listened = null!;
    private ThrottleLimiter _aggregated = null!;
    private MeterListener _listener = null!;

    [GlobalSetup]
    public void Setup()
    {
        _quiet = new ThrottleRuntime();
        ThrottleRuntime.Configure(_quiet);
        _site.AcquireAsync(Key, CancellationToken.None).AsTask().GetAwaiter().GetResult();

        var listenedRuntime = new ThrottleRuntime();
        _listened = listenedRuntime.ResolveLimiter(_site);
        _listener = new MeterListener();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, listenedRuntime.Telemetry.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _listener.Start();

        var aggregatedRuntime = new ThrottleRuntime();
        _ = aggregatedRuntime.Metrics;
        _aggregated = aggregatedRuntime.ResolveLimiter(_site);
        Through(_listened).AsTask().GetAwaiter().GetResult();
        Through(_aggregated).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _listener.Dispose();

    [Benchmark(Baseline = true, Description = "Site path before the hook (limiter called directly)")]
    public ValueTask Before() => _site.Limiter.AcquireOneUncheckedAsync(Key, _site.MaxWait, CancellationToken.None);

    [Benchmark(Description = "RateLimitSite.AcquireAsync, no listener")]
    public ValueTask NoListener() => _site.AcquireAsync(Key, CancellationToken.None);

    [Benchmark(Description = "Same two lines, a MeterListener enabled")]
    public ValueTask WithListener() => Through(_listened);

    [Benchmark(Description = "Same two lines, GetStats aggregation on")]
    public ValueTask WithGetStats() => Through(_aggregated);

    // RateLimitSite.AcquireAsync's body, on a limiter of a runtime other than Current (whose meter is listened to).
    private ValueTask Through(ThrottleLimiter limiter)
    {
        var pending = limiter.AcquireOneUncheckedAsync(Key, _site.MaxWait, CancellationToken.None);
        return limiter.Telemetry is { } telemetry ? telemetry.Observe(pending) : pending;
    }
}
