using System;
using Microsoft.Extensions.Logging;

namespace Throttle.Telemetry;

/// <summary>
/// Throttle's log messages, source-generated (<see cref="LoggerMessageAttribute"/>): each checks
/// <see cref="ILogger.IsEnabled"/> before formatting anything, so a disabled level costs a call and allocates nothing.
/// Event ids are stable (docs/metrics.md, "Logs"): 1xxx rate limits, 3xxx circuit breakers, 4xxx semaphores, 5xxx Redis.
/// Messages never carry a partition key.
/// </summary>
internal static partial class ThrottleLog
{
    [LoggerMessage(EventId = 1001, EventName = "RateLimitRejected", Level = LogLevel.Debug,
        Message = "Rate limit '{Limiter}' rejected a call; a permit is expected in {RetryAfterSeconds} s")]
    public static partial void RateLimitRejected(this ILogger logger, string limiter, double retryAfterSeconds);

    [LoggerMessage(EventId = 3001, EventName = "CircuitBreakerOpened", Level = LogLevel.Warning,
        Message = "Circuit breaker '{CircuitBreaker}' opened after {Failures} consecutive failures; calls are rejected for {BreakSeconds} s")]
    public static partial void CircuitBreakerOpened(this ILogger logger, string circuitBreaker, int failures, double breakSeconds, Exception? lastFailure);

    [LoggerMessage(EventId = 3002, EventName = "CircuitBreakerHalfOpened", Level = LogLevel.Information,
        Message = "Circuit breaker '{CircuitBreaker}' is half-open: the next call is a trial")]
    public static partial void CircuitBreakerHalfOpened(this ILogger logger, string circuitBreaker);

    [LoggerMessage(EventId = 3003, EventName = "CircuitBreakerClosed", Level = LogLevel.Information,
        Message = "Circuit breaker '{CircuitBreaker}' closed")]
    public static partial void CircuitBreakerClosed(this ILogger logger, string circuitBreaker);

    [LoggerMessage(EventId = 3004, EventName = "CircuitBreakerIsolated", Level = LogLevel.Warning,
        Message = "Circuit breaker '{CircuitBreaker}' was isolated by hand; calls are rejected until it is closed")]
    public static partial void CircuitBreakerIsolated(this ILogger logger, string circuitBreaker);

    [LoggerMessage(EventId = 3005, EventName = "CircuitBreakerRejected", Level = LogLevel.Debug,
        Message = "Circuit breaker '{CircuitBreaker}' rejected a call")]
    public static partial void CircuitBreakerRejected(this ILogger logger, string circuitBreaker);

    [LoggerMessage(EventId = 4001, EventName = "SemaphoreLeaseLost", Level = LogLevel.Warning,
        Message = "A lease on semaphore '{Semaphore}' was lost (it expired before it was renewed or released); its slot may be held by another caller now")]
    public static partial void SemaphoreLeaseLost(this ILogger logger, string semaphore);

    [LoggerMessage(EventId = 4002, EventName = "SemaphoreTimedOut", Level = LogLevel.Debug,
        Message = "No slot of semaphore '{Semaphore}' became free within {TimeoutSeconds} s")]
    public static partial void SemaphoreTimedOut(this ILogger logger, string semaphore, double timeoutSeconds);

    [LoggerMessage(EventId = 5001, EventName = "RedisFailurePolicyEngaged", Level = LogLevel.Warning,
        Message = "Redis at {Endpoint} is unreachable; limiters now decide by their failure policy ({FailureMode}) until it answers again")]
    public static partial void RedisFailurePolicyEngaged(this ILogger logger, string endpoint, string failureMode, Exception exception);

    [LoggerMessage(EventId = 5002, EventName = "RedisRecovered", Level = LogLevel.Information,
        Message = "Redis at {Endpoint} answers again; limiters decide on Redis again")]
    public static partial void RedisRecovered(this ILogger logger, string endpoint);
}
