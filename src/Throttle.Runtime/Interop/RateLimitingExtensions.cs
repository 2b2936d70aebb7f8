using System.Threading.RateLimiting;
using Throttle.Internal;
using Throttle.Limiters;

namespace Throttle.Interop;

/// <summary>
/// Views of a <see cref="ThrottleLimiter"/> as System.Threading.RateLimiting limiters, for ASP.NET Core's rate limiting
/// middleware, Polly's rate limiter strategy and other consumers of that API.
/// </summary>
/// <remarks>
/// <para>
/// <c>AttemptAcquire(n)</c> takes <c>n</c> tokens now or returns a failed lease carrying
/// <see cref="MetadataName.RetryAfter"/>. <c>AcquireAsync(n)</c> uses Throttle's computed waiting in place of a queue:
/// it waits for at most <c>maxWait</c> (default zero: it fails at once, like a limiter with a queue limit of 0, which is
/// what Polly's rate limiter strategy and ASP.NET Core's middleware expect to reject promptly), and fails with RetryAfter
/// as soon as the next permit is further away than the wait left. With <c>permitCount = 0</c>, <c>AttemptAcquire</c>
/// tells whether a permit is available without taking one and <c>AcquireAsync</c> waits (within <c>maxWait</c>) until
/// one is. A permit count above the limiter's capacity throws <see cref="System.ArgumentOutOfRangeException"/>.
/// </para>
/// <para>
/// Disposing a view ends its waits (with failed leases) but not the limiter, which may be shared. Leases hold nothing:
/// disposing one returns no tokens. The synchronous <c>AttemptAcquire</c> blocks on a remote storage (Redis).
/// </para>
/// </remarks>
public static class RateLimitingExtensions
{
    /// <summary>One key of <paramref name="limiter"/> as a <see cref="RateLimiter"/>.</summary>
    /// <param name="limiter">The limiter.</param>
    /// <param name="key">The key every acquire uses; not null or empty.</param>
    /// <param name="maxWait">
    /// How long <c>AcquireAsync</c> may wait for permits: zero (the default) never waits,
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> waits until granted or cancelled.
    /// </param>
    /// <returns>A rate limiter backed by <paramref name="limiter"/>'s state for <paramref name="key"/>.</returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="limiter"/> is null.</exception>
    /// <exception cref="System.ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="maxWait"/> is negative (and not infinite).</exception>
    public static RateLimiter AsRateLimiter(this ThrottleLimiter limiter, string key, System.TimeSpan maxWait = default)
    {
        System.ArgumentNullException.ThrowIfNull(limiter);
        Guard.Key(key);
        return new ThrottleRateLimiter(new LimiterAdapter(limiter, Guard.NonNegativeOrInfinite(maxWait, nameof(maxWait))), key);
    }

    /// <summary><paramref name="limiter"/> as a <see cref="PartitionedRateLimiter{TResource}"/> whose resource is the key.</summary>
    /// <param name="limiter">The limiter.</param>
    /// <param name="maxWait">How long <c>AcquireAsync</c> may wait for permits, as for <see cref="AsRateLimiter"/>.</param>
    /// <returns>A partitioned rate limiter backed by <paramref name="limiter"/>.</returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="limiter"/> is null.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="maxWait"/> is negative (and not infinite).</exception>
    public static PartitionedRateLimiter<string> AsPartitionedRateLimiter(this ThrottleLimiter limiter, System.TimeSpan maxWait = default)
    {
        System.ArgumentNullException.ThrowIfNull(limiter);
        return new ThrottlePartitionedRateLimiter(new LimiterAdapter(limiter, Guard.NonNegativeOrInfinite(maxWait, nameof(maxWait))));
    }
}
