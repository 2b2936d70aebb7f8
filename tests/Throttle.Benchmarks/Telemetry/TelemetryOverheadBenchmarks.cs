using System;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using Throttle.Infrastructure;

namespace Throttle.Benchmarks.Telemetry;

/// <summary>
/// Issue 13 item 6: what the rate-limit telemetry hook adds to a generated <c>[RateLimit]</c> call with a free permit.
/// Every row calls the very same generated wrapper, each on a runtime of its own: the baseline's limiter has its hook
/// detached (the path before telemetry), then the hook with nothing listening, with a <see cref="MeterListener"/>
/// enabled on the runtime's meter (an empty callback: the least any exporter pays), and with Throttle's own
/// <c>GetStats</c> aggregation on. Goals: no listener ≤ +2 ns, a listener ≤ +25 ns, 0 B in every row.
/// </summary>
[MemoryDiagnoser]
public class TelemetryOverheadBenchmarks
{
    public const string Detached = "[RateLimit] int, telemetry hook detached (before)";
    public const string NoListener = "[RateLimit] int, no listener";
    public const string Listener = "[RateLimit] int, MeterListener enabled";
    public const string GetStats = "[RateLimit] int, GetStats aggregation on";

    private TelemetryService _detached = null!;
    private TelemetryService _quiet = null!;
    private TelemetryService _listened = null!;
    private TelemetryService _aggregated = null!;
    private MeterListener _listener = null!;
    private long _measurements;

    // One setup per row: the row's own runtime binds last, so it is the site's newest runtime (found inline, as the one
    // runtime of an application is); the other three are bound too, and found by the site's search, as before.
    [GlobalSetup(Target = nameof(Before))]
    public void SetupBefore() => Setup(static bench => bench._detached);

    [GlobalSetup(Target = nameof(Quiet))]
    public void SetupQuiet() => Setup(static bench => bench._quiet);

    [GlobalSetup(Target = nameof(Listened))]
    public void SetupListened() => Setup(static bench => bench._listened);

    [GlobalSetup(Target = nameof(Aggregated))]
    public void SetupAggregated() => Setup(static bench => bench._aggregated);

    private void Setup(Func<TelemetryOverheadBenchmarks, TelemetryService> measured)
    {
        _detached = new TelemetryService(new ThrottleRuntime());
        _quiet = new TelemetryService(new ThrottleRuntime());
        _listened = new TelemetryService(new ThrottleRuntime());
        _aggregated = new TelemetryService(new ThrottleRuntime());
        _ = _aggregated.Runtime.Metrics;

        var listenedMeter = _listened.Runtime.Telemetry.Meter;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, listenedMeter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, _, _, _) => _measurements++);
        _listener.SetMeasurementEventCallback<double>((_, _, _, _) => _measurements++);
        _listener.Start();

        // The generated site's limiter on the baseline's runtime, with its hook taken off before the site's first call on
        // that runtime (the site binds the hook with the limiter): the path before telemetry, no hook to check. Found by
        // reflection here only (setup, not the measured call).
        var site = typeof(TelemetryService).GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Select(field => field.GetValue(null)).OfType<RateLimitSite>().Single();
        var limiter = _detached.Runtime.ResolveLimiter(site);
        limiter.Telemetry = null;
        var last = measured(this);
        foreach (var service in new[] { _detached, _quiet, _listened, _aggregated }.Where(service => service != last).Append(last))
        {
            _ = service.Get();
        }

        if (_listened.Runtime.ResolveLimiter(site).Telemetry is null || _quiet.Runtime.ResolveLimiter(site).Telemetry is null)
        {
            throw new InvalidOperationException("The other runtimes' limiters must keep their telemetry hook.");
        }

        _measurements = 0;
        _ = _listened.Get();
        if (_measurements == 0)
        {
            throw new InvalidOperationException("The MeterListener received nothing: the 'listener' row would measure no listener.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _listener.Dispose();

    [Benchmark(Baseline = true, Description = Detached)]
    public int Before() => _detached.Get();

    [Benchmark(Description = NoListener)]
    public int Quiet() => _quiet.Get();

    [Benchmark(Description = Listener)]
    public int Listened() => _listened.Get();

    [Benchmark(Description = GetStats)]
    public int Aggregated() => _aggregated.Get();
}
