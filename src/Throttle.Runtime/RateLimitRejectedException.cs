using System;

namespace Throttle;

/// <summary>
/// Thrown when a call cannot get a rate-limit permit within its maximum wait. <see cref="RetryAfter"/> says how long
/// until enough permits are expected to be free.
/// </summary>
public sealed class RateLimitRejectedException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public RateLimitRejectedException()
        : base("The rate limit was exceeded.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RateLimitRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public RateLimitRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="key"/> with the delay after which a retry may succeed.</summary>
    public RateLimitRejectedException(string key, TimeSpan retryAfter, TimeSpan maxWait)
        : base(FormatMessage(key, retryAfter, maxWait))
    {
        Key = key;
        RetryAfter = retryAfter;
    }

    /// <summary>The rate-limit key that was exhausted, when known.</summary>
    public string? Key { get; }

    /// <summary>How long until enough permits are expected to be free. <see cref="TimeSpan.Zero"/> when unknown.</summary>
    public TimeSpan RetryAfter { get; }

    private static string FormatMessage(string key, TimeSpan retryAfter, TimeSpan maxWait) =>
        $"Rate limit exceeded for key '{key}': the next permit is free in {retryAfter.TotalMilliseconds:0.###} ms, " +
        $"beyond the maximum wait of {maxWait.TotalMilliseconds:0.###} ms. Retry after RetryAfter, or raise the maximum wait.";
}
