using System;
using System.Collections.Concurrent;
using System.Threading;
using Throttle.Internal;
using Throttle.Policies;
using Throttle.Semaphores;

namespace Throttle;

/// <summary>The runtime's semaphores, shared per key.</summary>
public sealed partial class ThrottleRuntime
{
    /// <summary>Lease time of semaphores created by <see cref="GetSemaphore(string, int)"/>.</summary>
    internal static readonly TimeSpan DefaultSemaphoreLease = TimeSpan.FromSeconds(DistributedSemaphoreOptions.DefaultLeaseSeconds);

    /// <summary>Fallback polling interval of semaphores created by <see cref="GetSemaphore(string, int)"/>.</summary>
    internal static readonly TimeSpan DefaultSemaphoreSleepDelay = TimeSpan.FromSeconds(DistributedSemaphoreOptions.DefaultAcquireSleepDelaySeconds);

    // Settings are claimed per key: every partition of a key has the key's value and lease.
    private readonly SharedSettingsRegistry<SemaphoreSettings> _semaphoreSettings = SharedSettings.ForSemaphores();

    // By key and partition, kept apart (never joined into one string, so "a" + "b:c" and "a:b" + "c" stay two semaphores).
    private ConcurrentDictionary<(string Key, string? Partition), ThrottleSemaphore>? _semaphores;

    /// <summary>
    /// The semaphore <paramref name="key"/> of this runtime, created on first use and shared afterwards (also with
    /// <c>[DistributedSemaphore]</c> methods of the same key): a <see cref="DistributedBoundedSemaphore"/> when
    /// the runtime's storage is on Redis (<see cref="ThrottleRuntimeOptions.UseRedis"/>, or a Redis or hybrid
    /// <see cref="ThrottleRuntimeOptions.Storage"/>; same connection, key prefix and timeout), else an <see cref="InProcessSemaphore"/>. Its acquire
    /// timeout is infinite; pass one to <see cref="ThrottleSemaphore.AcquireAsync(TimeSpan, CancellationToken)"/>.
    /// </summary>
    /// <param name="key">The semaphore's name.</param>
    /// <param name="value">The number of slots, at least 1.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">The semaphore is used in this runtime with another value or lease (named in the message).</exception>
    public ThrottleSemaphore GetSemaphore(string key, int value) =>
        GetSemaphore(key, null, value, DefaultSemaphoreLease, DefaultSemaphoreSleepDelay, user: "a ThrottleRuntime.GetSemaphore caller");

    /// <summary>
    /// Gets or creates the semaphore of <paramref name="partition"/> of <paramref name="key"/> (null: the key itself);
    /// lease and sleep delay apply only when it is created. <paramref name="user"/> (a method's site id) is named when its
    /// value, lease or sleep delay differs from the key's first user's.
    /// </summary>
    internal ThrottleSemaphore GetSemaphore(string key, string? partition, int value, TimeSpan leaseTime, TimeSpan sleepDelay, string user)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(value, DistributedSemaphoreOptions.MinValue);

        // Before the semaphore exists, so it always has the settings of the claim that won; a matching claim allocates nothing.
        _semaphoreSettings.Claim(key, new SemaphoreSettings(value, leaseTime, sleepDelay), user);
        var semaphores = _semaphores;
        if (semaphores is null)
        {
            Interlocked.CompareExchange(ref _semaphores, new ConcurrentDictionary<(string, string?), ThrottleSemaphore>(), null);
            semaphores = _semaphores;
        }

        if (!semaphores.TryGetValue((key, partition), out var semaphore))
        {
            semaphore = semaphores.GetOrAdd(
                (key, partition),
                static (name, state) => state.runtime.CreateSemaphore(name.Key, name.Partition, state.value, state.leaseTime, state.sleepDelay),
                (runtime: this, value, leaseTime, sleepDelay));
        }

        return semaphore;
    }

    private ThrottleSemaphore CreateSemaphore(string key, string? partition, int value, TimeSpan leaseTime, TimeSpan sleepDelay) => ObserveSemaphore(
        key,
        _redis is { } redis
            ? new DistributedBoundedSemaphore(redis, key, partition, value, sleepDelay, leaseTime, TimeProvider)
            : new InProcessSemaphore(partition is null ? key : key + ":" + partition, value, acquireTimeout: null, TimeProvider));
}
