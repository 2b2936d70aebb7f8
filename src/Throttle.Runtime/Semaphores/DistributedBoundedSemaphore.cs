using System;
using StackExchange.Redis;

namespace Throttle.Semaphores;

/// <summary>
/// A <see cref="DistributedSemaphore"/> whose free slots can never exceed its value: the value is stored in a
/// second Redis key (<c>throttle:sem:{key}:max</c>, set atomically only when absent), and a release without a slot
/// held through this instance throws <see cref="InvalidOperationException"/> and changes nothing.
/// </summary>
/// <remarks>Semantics of leases, wake-up and ordering: see <see cref="DistributedSemaphore"/>.</remarks>
public sealed class DistributedBoundedSemaphore : DistributedSemaphore
{
    /// <summary>Creates a handle on the bounded semaphore <paramref name="key"/> of <paramref name="value"/> slots.</summary>
    /// <param name="redis">The Redis connection.</param>
    /// <param name="key">The semaphore's name; Redis keys are <c>throttle:sem:{key}:…</c>.</param>
    /// <param name="value">The number of slots (initial and maximum), at least 1. A different value for an existing key is an error.</param>
    /// <param name="acquireSleepDelay">The fallback polling interval while waiting; default 0.1 s.</param>
    /// <param name="acquireTimeout">The default acquire timeout; null for no bound.</param>
    /// <param name="leaseTime">How long a slot outlives a holder that stops renewing; default 30 s.</param>
    /// <param name="timeProvider">The clock of timeouts and renewal; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="redis"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value or duration is out of range.</exception>
    public DistributedBoundedSemaphore(
        IConnectionMultiplexer redis,
        string key,
        int value,
        TimeSpan? acquireSleepDelay = null,
        TimeSpan? acquireTimeout = null,
        TimeSpan? leaseTime = null,
        TimeProvider? timeProvider = null)
        : base(redis, key, value, acquireSleepDelay, acquireTimeout, leaseTime, timeProvider, bounded: true)
    {
    }
}
