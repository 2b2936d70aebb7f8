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
/// <see cref="MetadataName.RetryAfter"/>. <c>AcquireAsync(n)</c> waits the computed delay and retries until granted or
/// cancelled (Throttle waits instead of queueing, so there is no queue limit). With <c>permitCount = 0</c>,
/// <c>AttemptAcquire</c> tells whether a permit is available without taking one and <c>AcquireAsync</c> waits until one
/// is. A permit count above the limiter's capacity throws <see cref="System.ArgumentOutOfRangeException"/>.
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
    /// <returns>A rate limiter backed by <paramref name="limiter"/>'s state for <paramref name="key"/>.</returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="limiter"/> is null.</exception>
    /// <exception cref="System.ArgumentException"><paramref name="key"/> is null or empty.</exception>
    public static RateLimiter AsRateLimiter(this ThrottleLimiter limiter, string key)
    {
        System.ArgumentNullException.ThrowIfNull(limiter);
        Guard.Key(key);
        return new ThrottleRateLimiter(new LimiterAdapter(limiter), key);
    }

    /// <summary><paramref name="limiter"/> as a <see cref="PartitionedRateLimiter{TResource}"/> whose resource is the key.</summary>
    /// <param name="limiter">The limiter.</param>
    /// <returns>A partitioned rate limiter backed by <paramref name="limiter"/>.</returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="limiter"/> is null.</exception>
    public static PartitionedRateLimiter<string> AsPartitionedRateLimiter(this ThrottleLimiter limiter)
    {
        System.ArgumentNullException.ThrowIfNull(limiter);
        return new ThrottlePartitionedRateLimiter(new LimiterAdapter(limiter));
    }
}
