using System;
using Microsoft.AspNetCore.Http;
using Polly.CircuitBreaker;
using Throttle.Queues;
using Throttle.Semaphores;

namespace Throttle.AspNetCore.Exceptions;

/// <summary>
/// The HTTP answer to an exception of Throttle's generated code, decided in this one place for every path that maps
/// them (the exception handler, the developer exception page, the runtime middleware's fallback).
/// </summary>
internal readonly record struct ThrottleProblem(int StatusCode, string Title, TimeSpan? RetryAfter)
{
    /// <summary>
    /// <see cref="RateLimitRejectedException"/> → 429; <see cref="BrokenCircuitException"/> (and isolation) → 503; a
    /// semaphore timeout or a stopped queue → 503. <c>Retry-After</c> is set when the wait is known.
    /// </summary>
    public static bool TryMap(Exception exception, out ThrottleProblem problem)
    {
        problem = exception switch
        {
            RateLimitRejectedException rejected => new(
                StatusCodes.Status429TooManyRequests,
                "Too Many Requests",
                rejected.RetryAfter > TimeSpan.Zero ? rejected.RetryAfter : null),
            BrokenCircuitException broken => new(StatusCodes.Status503ServiceUnavailable, "Service Unavailable: circuit open", broken.RetryAfter),
            SemaphoreTimeoutException => new(StatusCodes.Status503ServiceUnavailable, "Service Unavailable: no free slot", null),
            QueueStoppedException => new(StatusCodes.Status503ServiceUnavailable, "Service Unavailable: queue stopped", null),
            _ => default,
        };

        return problem.StatusCode != 0;
    }
}
