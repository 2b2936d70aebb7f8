using System;
using System.Collections.Concurrent;
using System.Threading;
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

    private ConcurrentDictionary<string, ThrottleSemaphore>? _semaphores;

    /// <summary>
    /// The semaphore <paramref name="key"/> of this runtime, created on first use and shared afterwards (also with
    /// <c>[DistributedSemaphore]</c> methods of the same key): a <see cref="DistributedBoundedSemaphore"/> when
    /// <see cref="ThrottleRuntimeOptions.Redis"/> is set, else an <see cref="InProcessSemaphore"/>. Its acquire
    /// timeout is infinite; pass one to <see cref="ThrottleSemaphore.AcquireAsync(TimeSpan, CancellationToken)"/>.
    /// </summary>
    /// <param name="key">The semaphore's name.</param>
    /// <param name="value">The number of slots, at least 1.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">The semaphore exists in this runtime with another value.</exception>
    public ThrottleSemaphore GetSemaphore(string key, int value) =>
        GetSemaphore(key, value, DefaultSemaphoreLease, DefaultSemaphoreSleepDelay);

    /// <summary>Gets or creates the semaphore <paramref name="key"/>; lease and sleep delay apply only when it is created.</summary>
    internal ThrottleSemaphore GetSemaphore(string key, int value, TimeSpan leaseTime, TimeSpan sleepDelay)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(value, Throttle.Policies.DistributedSemaphoreOptions.MinValue);
        var semaphores = _semaphores;
        if (semaphores is null)
        {
            Interlocked.CompareExchange(ref _semaphores, new ConcurrentDictionary<string, ThrottleSemaphore>(StringComparer.Ordinal), null);
            semaphores = _semaphores;
        }

        if (!semaphores.TryGetValue(key, out var semaphore))
        {
            semaphore = semaphores.GetOrAdd(
                key,
                static (key, state) => state.runtime.CreateSemaphore(key, state.value, state.leaseTime, state.sleepDelay),
                (runtime: this, value, leaseTime, sleepDelay));
        }

        if (semaphore.Value != value)
        {
            throw new InvalidOperationException(
                $"Semaphore '{key}' already exists in this runtime with value {semaphore.Value}, not {value}. Every user of a key must use the same value.");
        }

        return semaphore;
    }

    private ThrottleSemaphore CreateSemaphore(string key, int value, TimeSpan leaseTime, TimeSpan sleepDelay) =>
        Options.Redis is { } redis
            ? new DistributedBoundedSemaphore(redis, key, value, sleepDelay, acquireTimeout: null, leaseTime, TimeProvider)
            : new InProcessSemaphore(key, value, acquireTimeout: null, TimeProvider);
}
