using System;
using System.Threading;
using System.Threading.RateLimiting;
using Throttle.Internal;
using Throttle.Limiters;

namespace Throttle.Interop;

/// <summary>
/// Views of a <see cref="ThrottleLimiter"/> as System.Threading.RateLimiting limiters, for ASP.NET Core's rate limiting
/// middleware, Polly's rate limiter strategy and other consumers of that API. They keep STRL's <see cref="RateLimiter"/>
/// contract; the README section "STRL contract" lists where and why they differ from STRL's own limiters.
/// </summary>
/// <remarks>
/// <para>
/// <c>AttemptAcquire(n)</c> takes <c>n</c> permits now or returns a failed lease carrying
/// <see cref="MetadataName.RetryAfter"/>; on remote storage (Redis, hybrid) it never blocks: it returns a failed lease at
/// once without asking the storage, so callers such as ASP.NET Core's middleware go on to <c>AcquireAsync</c>. On memory
/// storage it is synchronous and allocates nothing when a permit is free.
/// <c>AcquireAsync(n)</c> grants at once when it can; otherwise it waits in a queue of
/// <see cref="ThrottleRateLimiterOptions.QueueLimit"/> permits (default 0: it fails at once), served in
/// <see cref="ThrottleRateLimiterOptions.QueueProcessingOrder"/> as permits come back, for at most
/// <see cref="ThrottleRateLimiterOptions.MaxWait"/>. With <c>n = 0</c> both tell whether a permit is available without
/// taking one (<c>AcquireAsync</c> waits until one is). A count above the limiter's capacity throws
/// <see cref="ArgumentOutOfRangeException"/>.
/// </para>
/// <para>
/// Leases carry the metadata of <see cref="ThrottleMetadataNames"/>. Disposing a lease returns nothing: the permits are
/// spent, as with a token bucket. Disposing a view (<c>Dispose</c> or <c>DisposeAsync</c>) ends its queued
/// acquisitions with failed leases and makes later calls throw <see cref="ObjectDisposedException"/>; the limiter itself
/// may be shared and stays usable.
/// </para>
/// </remarks>
public static class RateLimitingExtensions
{
    private static readonly ThrottleRateLimiterOptions Defaults = new();

    /// <summary>One key of <paramref name="limiter"/> as a <see cref="RateLimiter"/> whose <c>AcquireAsync</c> never waits.</summary>
    /// <param name="limiter">The limiter.</param>
    /// <param name="key">The key every acquire uses; not null. The empty string is a key of its own.</param>
    /// <returns>A rate limiter backed by <paramref name="limiter"/>'s state for <paramref name="key"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="limiter"/> or <paramref name="key"/> is null.</exception>
    public static RateLimiter AsRateLimiter(this ThrottleLimiter limiter, string key) => AsRateLimiter(limiter, key, Defaults);

    /// <summary>One key of <paramref name="limiter"/> as a <see cref="RateLimiter"/> that waits as <paramref name="options"/> say.</summary>
    /// <param name="limiter">The limiter.</param>
    /// <param name="key">The key every acquire uses; not null. The empty string is a key of its own.</param>
    /// <param name="options">The queue for waiting acquisitions; copied, so later changes have no effect.</param>
    /// <returns>A rate limiter backed by <paramref name="limiter"/>'s state for <paramref name="key"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it.</exception>
    public static RateLimiter AsRateLimiter(this ThrottleLimiter limiter, string key, ThrottleRateLimiterOptions options)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        return new ThrottleRateLimiter(new LimiterAdapter(limiter, options.Validated(), typeof(ThrottleRateLimiter)), key);
    }

    /// <summary>
    /// One key of <paramref name="limiter"/> as a <see cref="RateLimiter"/> whose <c>AcquireAsync</c> waits up to
    /// <paramref name="maxWait"/>: shorthand for <see cref="ThrottleRateLimiterOptions"/> with no queue limit and that
    /// <see cref="ThrottleRateLimiterOptions.MaxWait"/> (zero: never wait).
    /// </summary>
    /// <param name="limiter">The limiter.</param>
    /// <param name="key">The key every acquire uses; not null. The empty string is a key of its own.</param>
    /// <param name="maxWait">Zero (never wait), positive, or <see cref="Timeout.InfiniteTimeSpan"/> (wait until granted or cancelled).</param>
    /// <returns>A rate limiter backed by <paramref name="limiter"/>'s state for <paramref name="key"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="limiter"/> or <paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWait"/> is negative (and not infinite).</exception>
    public static RateLimiter AsRateLimiter(this ThrottleLimiter limiter, string key, TimeSpan maxWait) =>
        AsRateLimiter(limiter, key, WaitingUpTo(maxWait));

    /// <summary><paramref name="limiter"/> as a <see cref="PartitionedRateLimiter{TResource}"/> whose resource is the key; <c>AcquireAsync</c> never waits.</summary>
    /// <param name="limiter">The limiter.</param>
    /// <returns>A partitioned rate limiter backed by <paramref name="limiter"/>; the empty string is a partition of its own.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="limiter"/> is null.</exception>
    public static PartitionedRateLimiter<string> AsPartitionedRateLimiter(this ThrottleLimiter limiter) => AsPartitionedRateLimiter(limiter, Defaults);

    /// <summary><paramref name="limiter"/> as a <see cref="PartitionedRateLimiter{TResource}"/> whose resource is the key, waiting as <paramref name="options"/> say (per partition).</summary>
    /// <param name="limiter">The limiter.</param>
    /// <param name="options">The queue for waiting acquisitions, per partition; copied, so later changes have no effect.</param>
    /// <returns>A partitioned rate limiter backed by <paramref name="limiter"/>; the empty string is a partition of its own.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it.</exception>
    public static PartitionedRateLimiter<string> AsPartitionedRateLimiter(this ThrottleLimiter limiter, ThrottleRateLimiterOptions options)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(options);
        return new ThrottlePartitionedRateLimiter(new LimiterAdapter(limiter, options.Validated(), typeof(ThrottlePartitionedRateLimiter)));
    }

    /// <summary>
    /// <paramref name="limiter"/> as a <see cref="PartitionedRateLimiter{TResource}"/> whose <c>AcquireAsync</c> waits up
    /// to <paramref name="maxWait"/>: shorthand as for <see cref="AsRateLimiter(ThrottleLimiter, string, TimeSpan)"/>.
    /// </summary>
    /// <param name="limiter">The limiter.</param>
    /// <param name="maxWait">Zero (never wait), positive, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <returns>A partitioned rate limiter backed by <paramref name="limiter"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="limiter"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWait"/> is negative (and not infinite).</exception>
    public static PartitionedRateLimiter<string> AsPartitionedRateLimiter(this ThrottleLimiter limiter, TimeSpan maxWait) =>
        AsPartitionedRateLimiter(limiter, WaitingUpTo(maxWait));

    private static ThrottleRateLimiterOptions WaitingUpTo(TimeSpan maxWait) =>
        Guard.NonNegativeOrInfinite(maxWait, nameof(maxWait)) == TimeSpan.Zero
            ? Defaults
            : new ThrottleRateLimiterOptions { QueueLimit = int.MaxValue, MaxWait = maxWait };
}
