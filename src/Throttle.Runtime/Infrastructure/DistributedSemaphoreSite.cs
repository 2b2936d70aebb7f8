using System;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Policies;
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

    /// <summary>
    /// Creates the site; generated code passes options the generator has already checked with the same
    /// <see cref="DistributedSemaphoreOptions.Validate"/>, checked again here.
    /// </summary>
    /// <param name="id">Unique name of the method (its overload included).</param>
    /// <param name="options">The <c>[DistributedSemaphore]</c> settings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="id"/> is null or empty, or an option is out of range (an <see cref="ArgumentOutOfRangeException"/>)
    /// or blank: <see cref="ArgumentException.ParamName"/> is the option's name and the message that of its <see cref="OptionProblem"/>.
    /// </exception>
    public DistributedSemaphoreSite(string id, DistributedSemaphoreOptions options)
    {
        Id = Guard.Key(id, nameof(id));
        ArgumentNullException.ThrowIfNull(options);
        OptionRules.ThrowFirst(options.Validate());
        Key = options.Key;
        Value = options.Value;
        AcquireTimeout = Guard.WaitSeconds(options.AcquireTimeoutSeconds, nameof(options.AcquireTimeoutSeconds));
        LeaseTime = TimeSpan.FromSeconds(options.LeaseSeconds);
        AcquireSleepDelay = TimeSpan.FromSeconds(options.AcquireSleepDelaySeconds);
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
            : ThrottleRuntime.Current.GetSemaphore(Key + ":" + partition, Value, LeaseTime, AcquireSleepDelay);
    }
}
