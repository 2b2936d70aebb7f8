using Throttle.Limiters;
using Throttle.Queues;
using Throttle.Semaphores;
using Throttle.Telemetry;

namespace Throttle;

/// <summary>The runtime's metrics and logs (src/Throttle.Runtime/Telemetry, docs/metrics.md).</summary>
public sealed partial class ThrottleRuntime
{
    /// <summary>
    /// The specification's metrics API on this runtime's <c>Throttle</c> meter: <c>Increment</c>, <c>Gauge</c>,
    /// <c>Timing</c> and <c>GetStats()</c>. Its snapshot aggregates from the first read of this property on.
    /// </summary>
    public ThrottleMetrics Metrics => Telemetry.Metrics;

    /// <summary>The meter, instruments and loggers of this runtime.</summary>
    internal ThrottleTelemetry Telemetry { get; }

    /// <summary>Creates the runtime's telemetry and hooks the Redis layer (if any) into it; called once by the constructor.</summary>
    private ThrottleTelemetry CreateTelemetry(ThrottleRuntimeOptions options)
    {
        var telemetry = new ThrottleTelemetry(options.MeterFactory, options.LoggerFactory, TimeProvider);
        if (_redis is { } redis)
        {
            redis.Layer.Telemetry = telemetry.ForRedis(redis.Layer.Endpoint);
        }

        return telemetry;
    }

    private void ObserveNamedLimiter(string name, ThrottleLimiter limiter)
    {
        limiter.Telemetry ??= Telemetry.ForLimiter(name);
        Telemetry.Observed.AddLimiter(name, limiter);
    }

    private ThrottleLimiter ObserveLimiter(string name, ThrottleLimiter limiter)
    {
        limiter.Telemetry = Telemetry.ForLimiter(name);
        return limiter;
    }

    private InvocationQueue ObserveQueue(string name, InvocationQueue queue)
    {
        queue.Telemetry ??= Telemetry.ForQueue(name);
        Telemetry.Observed.AddQueue(name, queue);
        return queue;
    }

    private ThrottleSemaphore ObserveSemaphore(string key, ThrottleSemaphore semaphore)
    {
        var telemetry = Telemetry.ForSemaphore(key);
        semaphore.Telemetry = telemetry;
        Telemetry.Observed.AddSemaphore(semaphore, telemetry);
        return semaphore;
    }
}
