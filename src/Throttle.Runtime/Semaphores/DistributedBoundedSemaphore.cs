using System;
using StackExchange.Redis;
using Throttle.Storage.Redis;

namespace Throttle.Semaphores;

/// <summary>
/// A <see cref="DistributedSemaphore"/> whose free slots can never exceed its value: the value is stored in the
/// semaphore's Redis hash (<c>&lt;prefix&gt;:sem:{key}:meta</c>, set atomically only when absent), and a release without a slot
/// held through this instance throws <see cref="InvalidOperationException"/> and changes nothing.
/// </summary>
/// <remarks>Semantics of leases, wake-up, ordering, keys and failures: see <see cref="DistributedSemaphore"/>.</remarks>
public sealed class DistributedBoundedSemaphore : DistributedSemaphore
{
    /// <summary>Creates a handle on the bounded semaphore <paramref name="key"/> of <paramref name="value"/> slots, with
    /// the default <see cref="RedisStorageOptions"/> (key prefix <c>throttle</c>, 2 s operation timeout).</summary>
    /// <param name="redis">The Redis connection; not owned.</param>
    /// <param name="key">The semaphore's name; Redis keys are <c>throttle:sem:{key}:…</c>.</param>
    /// <param name="value">The number of slots (initial and maximum), at least 1. A different value for an existing key is an error.</param>
    /// <param name="acquireSleepDelay">The fallback polling interval while waiting; default 0.1 s.</param>
    /// <param name="acquireTimeout">The default acquire timeout; null for no bound.</param>
    /// <param name="leaseTime">How long a slot outlives a holder that stops renewing; default 30 s, from
    /// <see cref="Throttle.Policies.DistributedSemaphoreOptions.MinLeaseSeconds"/> to <see cref="Throttle.Policies.DistributedSemaphoreOptions.MaxLeaseSeconds"/>.</param>
    /// <param name="timeProvider">The clock of timeouts and renewal; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="redis"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null, empty or too long for a Redis key.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value or duration is out of range.</exception>
    public DistributedBoundedSemaphore(
        IConnectionMultiplexer redis,
        string key,
        int value,
        TimeSpan? acquireSleepDelay = null,
        TimeSpan? acquireTimeout = null,
        TimeSpan? leaseTime = null,
        TimeProvider? timeProvider = null)
        : base(RedisLayer.On(redis, null), key, null, value, acquireSleepDelay, acquireTimeout, leaseTime, timeProvider, bounded: true)
    {
    }

    /// <summary>
    /// The semaphore <paramref name="key"/>, or its <paramref name="partition"/>, on the connection, key prefix and
    /// operation timeout of <paramref name="storage"/> (the runtime's semaphores).
    /// </summary>
    internal DistributedBoundedSemaphore(
        RedisStorage storage, string key, string? partition, int value, TimeSpan? acquireSleepDelay, TimeSpan? leaseTime, TimeProvider? timeProvider)
        : base(storage.Layer, key, partition, value, acquireSleepDelay, acquireTimeout: null, leaseTime, timeProvider, bounded: true)
    {
    }
}
