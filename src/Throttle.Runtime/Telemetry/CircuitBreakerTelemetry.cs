using System;
using System.Diagnostics;
using Polly.CircuitBreaker;

namespace Throttle.Telemetry;

/// <summary>The hook of one circuit breaker: its state changes (counted and logged) and the calls it rejects.</summary>
internal sealed class CircuitBreakerTelemetry(ThrottleTelemetry telemetry, string name)
{
    public string Name { get; } = name;

    /// <summary>The breaker entered <paramref name="state"/>; <paramref name="lastFailure"/> opened it (when opening).</summary>
    public void Transitioned(CircuitState state, int failures, TimeSpan breakDuration, Exception? lastFailure)
    {
        var logger = telemetry.CircuitBreakerLogger;
        switch (state)
        {
            case CircuitState.Open:
                logger.CircuitBreakerOpened(Name, failures, breakDuration.TotalSeconds, lastFailure);
                break;
            case CircuitState.HalfOpen:
                logger.CircuitBreakerHalfOpened(Name);
                break;
            case CircuitState.Closed:
                logger.CircuitBreakerClosed(Name);
                break;
            case CircuitState.Isolated:
                logger.CircuitBreakerIsolated(Name);
                break;
        }

        if (telemetry.CircuitBreakerTransitions.Enabled)
        {
            telemetry.CircuitBreakerTransitions.Add(
                1, new TagList { { TelemetryNames.CircuitBreakerTag, Name }, { TelemetryNames.CircuitBreakerStateTag, StateName(state) } });
        }
    }

    /// <summary>The breaker rejected a call.</summary>
    public void Rejected()
    {
        telemetry.CircuitBreakerLogger.CircuitBreakerRejected(Name);
        if (telemetry.CircuitBreakerRejectedCalls.Enabled)
        {
            telemetry.CircuitBreakerRejectedCalls.Add(1, new TagList { { TelemetryNames.CircuitBreakerTag, Name } });
        }
    }

    /// <summary>The state's tag value: OpenTelemetry's snake_case.</summary>
    public static string StateName(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        CircuitState.Isolated => "isolated",
        _ => "unknown",
    };
}
