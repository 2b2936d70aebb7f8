using System;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Semaphores;

namespace Throttle.Infrastructure;

/// <summary>
/// One <c>[DistributedSemaphore]</c> method's policy, held by generated code in a static field. It resolves its
/// semaphore from <see cref="ThrottleRuntime.Current"/> (Redis-backed when the runtime has a Redis connection, else
/// in process) and caches it per runtime; semaphores are shared per key and partition within a runtime.
/// </summary>
/// <remarks>Infrastructure for generated code; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class DistributedSemaphoreSite
{
    private PerRuntime<ThrottleSemaphore> _resolved;

    /// <summary>Creates the site; generated code passes values the generator has already checked, checked again here.</summary>
    /// <param name="id">Unique name of the method (its overload included).</param>
    /// <param name="key">The semaphore's key.</param>
    /// <param name="value">The number of slots, at least 1.</param>
    /// <param name="acquireTimeoutSeconds">Longest wait for a slot, in seconds: positive, or positive infinity for no bound.</param>
    /// <param name="leaseSeconds">Lease time in seconds: positive and finite.</param>
    /// <param name="acquireSleepDelaySeconds">Fallback polling interval in seconds: positive and finite.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> or <paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    public DistributedSemaphoreSite(
        string id, string key, int value, double acquireTimeoutSeconds, double leaseSeconds, double acquireSleepDelaySeconds)
    {
        Id = Guard.Key(id, nameof(id));
        Key = Guard.Key(key, nameof(key));
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
        Value = value;
        if (!(acquireTimeoutSeconds > 0))
        {
            throw new ArgumentOutOfRangeException(
                nameof(acquireTimeoutSeconds), acquireTimeoutSeconds, "acquireTimeoutSeconds must be positive, or infinity for no bound.");
        }

        AcquireTimeout = Guard.WaitSeconds(acquireTimeoutSeconds, nameof(acquireTimeoutSeconds));
        LeaseTime = TimeSpan.FromSeconds(Guard.PositiveFinite(leaseSeconds, nameof(leaseSeconds)));
        if (LeaseTime < TimeSpan.FromMilliseconds(30))
        {
            throw new ArgumentOutOfRangeException(nameof(leaseSeconds), leaseSeconds, "leaseSeconds must be at least 0.03: it is renewed every third of it.");
        }

        AcquireSleepDelay = TimeSpan.FromSeconds(Guard.PositiveFinite(acquireSleepDelaySeconds, nameof(acquireSleepDelaySeconds)));
    }

    /// <summary>Unique name of the method.</summary>
    public string Id { get; }

    /// <summary>The semaphore's key (before partitioning).</summary>
    public string Key { get; }

    /// <summary>The number of slots.</summary>
    public int Value { get; }

    /// <summary>Longest wait for a slot; <see cref="Timeout.InfiniteTimeSpan"/> for no bound.</summary>
    public TimeSpan AcquireTimeout { get; }

    /// <summary>Lease time of a Redis-backed slot.</summary>
    public TimeSpan LeaseTime { get; }

    /// <summary>Fallback polling interval while waiting.</summary>
    public TimeSpan AcquireSleepDelay { get; }

    /// <summary>Takes a slot of the semaphore for <paramref name="partition"/>, waiting at most <see cref="AcquireTimeout"/>.</summary>
    /// <param name="partition">Null for the key itself; otherwise the semaphore <c>key:partition</c>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The lease; dispose it in a <c>finally</c> block.</returns>
    /// <exception cref="SemaphoreTimeoutException">No slot became free within the timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled while waiting.</exception>
    public ValueTask<SemaphoreLease> AcquireAsync(string? partition, CancellationToken cancellationToken) =>
        Resolve(partition).AcquireAsync(AcquireTimeout, cancellationToken);

    /// <summary>Takes a slot, blocking the thread while it waits (synchronous methods).</summary>
    /// <param name="partition">Null for the key itself; otherwise the semaphore <c>key:partition</c>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The lease; dispose it in a <c>finally</c> block.</returns>
    /// <exception cref="SemaphoreTimeoutException">No slot became free within the timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled while waiting.</exception>
    public SemaphoreLease Acquire(string? partition, CancellationToken cancellationToken) =>
        ThrottleSemaphore.Wait(AcquireAsync(partition, cancellationToken));

    /// <summary>The semaphore of the current runtime for <paramref name="partition"/>.</summary>
    internal ThrottleSemaphore Resolve(string? partition)
    {
        // A partitioned call resolves its own key each time (the runtime caches semaphores by key); only the unpartitioned
        // semaphore is worth holding here, and it is never created for a site that always partitions.
        return partition is null
            ? _resolved.Get(this, static (runtime, site) => runtime.GetSemaphore(site.Key, site.Value, site.LeaseTime, site.AcquireSleepDelay))
            : ThrottleRuntime.Current.GetSemaphore(Key, partition, Value, LeaseTime, AcquireSleepDelay);
    }
}
