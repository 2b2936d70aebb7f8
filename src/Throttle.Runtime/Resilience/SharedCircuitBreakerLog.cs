using System;
using Microsoft.Extensions.Logging;

namespace Throttle.Resilience;

/// <summary>The logs of shared circuit breakers (category <c>Throttle.CircuitBreakers</c>; ids continue ThrottleLog's 3xxx).</summary>
internal static partial class SharedCircuitBreakerLog
{
    [LoggerMessage(EventId = 3006, EventName = "SharedCircuitBreakerFellBack", Level = LogLevel.Warning,
        Message = "Shared circuit breaker '{CircuitBreaker}' cannot reach Redis at {Endpoint}; it decides on this process's own state until Redis answers again")]
    public static partial void SharedCircuitBreakerFellBack(this ILogger logger, string circuitBreaker, string endpoint, Exception exception);

    [LoggerMessage(EventId = 3007, EventName = "SharedCircuitBreakerRecovered", Level = LogLevel.Information,
        Message = "Shared circuit breaker '{CircuitBreaker}' reaches Redis at {Endpoint} again and follows the shared state")]
    public static partial void SharedCircuitBreakerRecovered(this ILogger logger, string circuitBreaker, string endpoint);

    [LoggerMessage(EventId = 3008, EventName = "SharedCircuitBreakerSettingsDiffer", Level = LogLevel.Error,
        Message = "{Problem}")]
    public static partial void SharedCircuitBreakerSettingsDiffer(this ILogger logger, string problem);
}
