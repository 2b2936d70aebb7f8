using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Threading;
using Microsoft.Extensions.Logging;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.Retry;
using Polly;
using Polly.Telemetry;

namespace Throttle.Telemetry;

/// <summary>
/// One runtime's instruments and loggers: a meter named <c>Throttle</c> (from <see cref="ThrottleRuntimeOptions.MeterFactory"/>
/// when given, else the runtime's own), the instruments of docs/metrics.md on it, and loggers from
/// <see cref="ThrottleRuntimeOptions.LoggerFactory"/> (none by default). Hooks in limiters, queues, semaphores, breakers
/// and the Redis layer hold the per-resource objects made here (<see cref="ForLimiter"/>, ...), which check
/// <see cref="Instrument.Enabled"/> before building tags: with no listener a hook costs a field read and a branch.
/// </summary>
/// <remarks><see cref="Dispose"/> disposes the meter when the runtime created it (a factory's meters belong to the factory).</remarks>
internal sealed class ThrottleTelemetry : IDisposable
{
    private static readonly string? s_version = typeof(ThrottleTelemetry).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private readonly bool _ownsMeter;
    private readonly object _metricsGate = new();
    private ThrottleMetrics? _metrics;

    public ThrottleTelemetry(IMeterFactory? meterFactory, ILoggerFactory? loggerFactory, TimeProvider timeProvider)
    {
        TimeProvider = timeProvider;
        if (meterFactory is not null)
        {
            Meter = meterFactory.Create(new MeterOptions(TelemetryNames.Meter) { Version = s_version });
        }
        else
        {
            Meter = new Meter(TelemetryNames.Meter, s_version);
            _ownsMeter = true;
        }

        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        RateLimitLogger = LoggerFactory.CreateLogger("Throttle.RateLimiting");
        CircuitBreakerLogger = LoggerFactory.CreateLogger("Throttle.CircuitBreakers");
        SemaphoreLogger = LoggerFactory.CreateLogger("Throttle.Semaphores");
        RedisLogger = LoggerFactory.CreateLogger("Throttle.Redis");

        RateLimitRequests = Meter.CreateCounter<long>(
            TelemetryNames.RateLimitRequests, "{request}", "Calls that asked a rate limit for a permit, by result (acquired, rejected, canceled).");
        RateLimitWaitDuration = Meter.CreateHistogram<double>(
            TelemetryNames.RateLimitWaitDuration, "s", "How long calls that found no free permit waited before they got one, were rejected or were canceled.");

        QueueWaitDuration = Meter.CreateHistogram<double>(
            TelemetryNames.QueueWaitDuration, "s", "How long a queued call waited before a worker started it.");
        QueueRunDuration = Meter.CreateHistogram<double>(
            TelemetryNames.QueueRunDuration, "s", "How long a queued call ran, by result (processed, failed).");
        QueueCalls = Meter.CreateCounter<long>(
            TelemetryNames.QueueCalls, "{call}", "Queued calls a worker ran, by result (processed, failed).");

        SemaphoreAcquireDuration = Meter.CreateHistogram<double>(
            TelemetryNames.SemaphoreAcquireDuration, "s", "How long an acquire of a semaphore slot took, by result (acquired, timeout, canceled).");
        SemaphoreTimeouts = Meter.CreateCounter<long>(
            TelemetryNames.SemaphoreTimeouts, "{timeout}", "Acquires that found no free slot within their timeout.");
        SemaphoreLeasesLost = Meter.CreateCounter<long>(
            TelemetryNames.SemaphoreLeasesLost, "{lease}", "Leases that expired before they were renewed or released.");

        CircuitBreakerTransitions = Meter.CreateCounter<long>(
            TelemetryNames.CircuitBreakerTransitions, "{transition}", "State changes of circuit breakers, by the state entered (open, half_open, closed, isolated).");
        CircuitBreakerRejectedCalls = Meter.CreateCounter<long>(
            TelemetryNames.CircuitBreakerRejectedCalls, "{call}", "Calls a circuit breaker rejected because it was open, half-open with a trial running, or isolated.");
        CircuitBreakerRedisFallbacks = Meter.CreateCounter<long>(
            TelemetryNames.CircuitBreakerRedisFallbacks, "{fallback}", "Times a shared circuit breaker could not reach Redis and fell back to this process's state (once per outage).");
        RetryAttempts = Meter.CreateCounter<long>(
            TelemetryNames.RetryAttempts, "{attempt}", "Retries made by [Retry] methods (attempts after the first).");

        RedisOperationDuration = Meter.CreateHistogram<double>(
            TelemetryNames.RedisOperationDuration, "s", "How long one Redis call took (a script, a subscription), failed ones included (tagged error.type).");
        RedisFailures = Meter.CreateCounter<long>(
            TelemetryNames.RedisFailures, "{failure}", "Redis calls that failed: unreachable or timed out, by error.type.");
        RedisFailurePolicyDecisions = Meter.CreateCounter<long>(
            TelemetryNames.RedisFailurePolicyDecisions, "{decision}", "Limiter decisions taken by the failure policy while Redis was unreachable (fail_open, fail_closed).");
        Observed = new ObservedResources(Meter);
        PollyOptions = loggerFactory is not null || meterFactory is not null
            ? new TelemetryOptions { LoggerFactory = LoggerFactory, SeverityProvider = PollySeverity }
            : null;
    }

    // Polly logs every execution at Information; a throttled method runs on every call, so those two go to Debug.
    private static ResilienceEventSeverity PollySeverity(SeverityProviderArguments arguments) =>
        arguments.Event.EventName is "PipelineExecuting" or "PipelineExecuted" ? ResilienceEventSeverity.Debug : arguments.Event.Severity;

    /// <summary>The resources read by the observable instruments (queue lengths, tokens, leases, tracked pools).</summary>
    public ObservedResources Observed { get; }

    /// <summary>The meter named <c>Throttle</c>.</summary>
    public Meter Meter { get; }

    /// <summary>The runtime's clock: durations are measured on it, so a fake clock makes them exact in tests.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Where logs go (a null factory when none was given).</summary>
    public ILoggerFactory LoggerFactory { get; }

    public ILogger RateLimitLogger { get; }

    public ILogger CircuitBreakerLogger { get; }

    public ILogger SemaphoreLogger { get; }

    public ILogger RedisLogger { get; }

    public Counter<long> RateLimitRequests { get; }

    public Histogram<double> RateLimitWaitDuration { get; }

    public Histogram<double> QueueWaitDuration { get; }

    public Histogram<double> QueueRunDuration { get; }

    public Counter<long> QueueCalls { get; }

    public Histogram<double> SemaphoreAcquireDuration { get; }

    public Counter<long> SemaphoreTimeouts { get; }

    public Counter<long> SemaphoreLeasesLost { get; }

    public Counter<long> CircuitBreakerTransitions { get; }

    public Counter<long> CircuitBreakerRejectedCalls { get; }

    public Counter<long> CircuitBreakerRedisFallbacks { get; }

    public Counter<long> RetryAttempts { get; }

    public Histogram<double> RedisOperationDuration { get; }

    public Counter<long> RedisFailures { get; }

    public Counter<long> RedisFailurePolicyDecisions { get; }

    /// <summary>The hook of a limiter named (or scoped) <paramref name="name"/>.</summary>
    public RateLimitTelemetry ForLimiter(string name) => new(this, name);

    /// <summary>The hook of a circuit breaker named <paramref name="name"/>.</summary>
    public CircuitBreakerTelemetry ForCircuitBreaker(string name) => new(this, name);

    /// <summary>The hook of a queue named <paramref name="name"/>.</summary>
    public QueueTelemetry ForQueue(string name) => new(this, name);

    /// <summary>The hook of a semaphore named <paramref name="name"/> (its key, never its partition).</summary>
    public SemaphoreTelemetry ForSemaphore(string name) => new(this, name);

    /// <summary>
    /// Polly's telemetry for the pipelines the runtime builds: its <c>resilience.polly.*</c> instruments (on Polly's own
    /// meter) and logs through the runtime's logger factory. Null unless a logger or meter factory was given (a host):
    /// Polly's telemetry costs 24 B per execution even with nothing listening, and the default runtime allocates nothing.
    /// </summary>
    public TelemetryOptions? PollyOptions { get; }

    /// <summary>The retry callback of a <c>[Retry]</c> method named <paramref name="name"/>: counts each retry.</summary>
    public Func<OnRetryArguments<object>, ValueTask> ForRetry(string name) => _ =>
    {
        if (RetryAttempts.Enabled)
        {
            RetryAttempts.Add(1, new KeyValuePair<string, object?>(TelemetryNames.RetryTag, name));
        }

        return default;
    };

    /// <summary>The hook of the Redis layer at <paramref name="endpoint"/>.</summary>
    public RedisTelemetry ForRedis(string endpoint) => new(this, endpoint);

    /// <summary>The spec's metrics API, created on first use (its listener then aggregates every instrument of the meter).</summary>
    public ThrottleMetrics Metrics
    {
        get
        {
            var metrics = Volatile.Read(ref _metrics);
            if (metrics is null)
            {
                lock (_metricsGate)
                {
                    metrics = _metrics ??= new ThrottleMetrics(this);
                }
            }

            return metrics;
        }
    }

    /// <summary>Stops the stats listener and disposes the meter if the runtime created it; its instruments stop reporting.</summary>
    public void Dispose()
    {
        Volatile.Read(ref _metrics)?.Dispose();
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
