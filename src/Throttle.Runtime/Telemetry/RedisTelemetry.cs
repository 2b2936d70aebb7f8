using System;
using System.Diagnostics;
using System.Threading;
using Throttle.Storage;

namespace Throttle.Telemetry;

/// <summary>
/// The hook of one Redis layer: each call's duration, failures, and the decisions limiters take by the failure policy
/// (<see cref="StorageFailureMode.FailOpen"/>/<see cref="StorageFailureMode.FailClosed"/>) while Redis is unreachable.
/// Logs once when the policy engages and once when Redis answers again.
/// </summary>
internal sealed class RedisTelemetry(ThrottleTelemetry telemetry, string endpoint)
{
    private int _engaged;

    public string Endpoint { get; } = endpoint;

    /// <summary>A call started at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp) succeeded.</summary>
    public void Succeeded(long started)
    {
        if (telemetry.RedisOperationDuration.Enabled)
        {
            telemetry.RedisOperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        if (Volatile.Read(ref _engaged) != 0 && Interlocked.Exchange(ref _engaged, 0) != 0)
        {
            telemetry.RedisLogger.RedisRecovered(Endpoint);
        }
    }

    /// <summary>A call started at <paramref name="started"/> failed with <paramref name="exception"/> (Redis unreachable or slow).</summary>
    public void Failed(long started, Exception exception)
    {
        var errorType = exception.GetType().FullName ?? exception.GetType().Name;
        if (telemetry.RedisOperationDuration.Enabled)
        {
            // No error.type here: an instrument keeps one set of tag names (Prometheus' labels); the failures counter has it.
            telemetry.RedisOperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        if (telemetry.RedisFailures.Enabled)
        {
            telemetry.RedisFailures.Add(1, new TagList { { TelemetryNames.ErrorTypeTag, errorType } });
        }
    }

    /// <summary>A limiter decided by <paramref name="mode"/> because Redis failed with <paramref name="exception"/>.</summary>
    public void PolicyDecided(StorageFailureMode mode, Exception exception)
    {
        var modeName = mode == StorageFailureMode.FailOpen ? TelemetryNames.FailOpen : TelemetryNames.FailClosed;
        if (Volatile.Read(ref _engaged) == 0 && Interlocked.Exchange(ref _engaged, 1) == 0)
        {
            telemetry.RedisLogger.RedisFailurePolicyEngaged(Endpoint, modeName, exception);
        }

        if (telemetry.RedisFailurePolicyDecisions.Enabled)
        {
            telemetry.RedisFailurePolicyDecisions.Add(1, new TagList { { TelemetryNames.FailureModeTag, modeName } });
        }
    }
}
