using System;
using Throttle.Limiters.Backends;

namespace Throttle.Limiters;

/// <summary>The outcome of one attempt to take permits: acquired, or rejected with the delay until they could be.</summary>
/// <remarks>
/// A backend may also report the key's quota right after the call (tokens available, capacity, rate), read in the
/// same atomic step as the decision, so that a caller needing it (the System.Threading.RateLimiting adapter's metadata
/// and statistics) sends no second call. That quota is what the storage saw, not part of the outcome: two decisions
/// are equal when they grant alike with the same RetryAfter.
/// </remarks>
public readonly record struct RateLimitDecision
{
    // The quota after the call, when the backend read it with the decision (_hasQuota); see TryGetQuota.
    private readonly bool _hasQuota;
    private readonly double _available;
    private readonly LimiterRate _rate;

    private RateLimitDecision(bool isAcquired, TimeSpan retryAfter)
    {
        IsAcquired = isAcquired;
        RetryAfter = retryAfter;
    }

    private RateLimitDecision(RateLimitDecision decision, double available, LimiterRate rate)
    {
        IsAcquired = decision.IsAcquired;
        RetryAfter = decision.RetryAfter;
        _hasQuota = true;
        _available = available < 0 ? 0 : available > rate.Capacity ? rate.Capacity : available;
        _rate = rate;
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

    /// <inheritdoc />
    public bool Equals(RateLimitDecision other) => IsAcquired == other.IsAcquired && RetryAfter == other.RetryAfter;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(IsAcquired, RetryAfter);

    /// <summary>This decision with the key's quota right after it (from the same atomic step of the backend).</summary>
    internal RateLimitDecision WithQuota(double available, LimiterRate rate) => new(this, available, rate);

    /// <summary>This decision without a quota (a combination of limiters whose quota is not one backend's).</summary>
    internal RateLimitDecision WithoutQuota() => new(IsAcquired, RetryAfter);

    /// <summary>The key's state right after the call, when the backend reported it with the decision.</summary>
    internal bool TryGetQuota(out LimiterStats quota)
    {
        quota = _hasQuota ? new LimiterStats(_available, _rate.Capacity, _rate.PerSecond, null) : default;
        return _hasQuota;
    }
}
