using System;

namespace Throttle.Limiters;

/// <summary>The outcome of one attempt to take permits: acquired, or rejected with the delay until they could be.</summary>
public readonly record struct RateLimitDecision
{
    private RateLimitDecision(bool isAcquired, TimeSpan retryAfter)
    {
        IsAcquired = isAcquired;
        RetryAfter = retryAfter;
    }

    /// <summary>A decision that granted the permits.</summary>
    public static RateLimitDecision Acquired => new(true, TimeSpan.Zero);

    /// <summary>Whether the permits were granted.</summary>
    public bool IsAcquired { get; }

    /// <summary>When rejected: how long until the permits are expected to be free. Zero when acquired.</summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>A decision that rejected the request; <paramref name="retryAfter"/> is the expected wait.</summary>
    public static RateLimitDecision Rejected(TimeSpan retryAfter) =>
        new(false, retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter);
}
