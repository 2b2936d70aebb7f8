using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;

namespace Throttle.Semaphores;

/// <summary>
/// A counting semaphore of <see cref="Value"/> slots: <see cref="AcquireAsync(CancellationToken)"/> waits for a free
/// slot and returns a <see cref="SemaphoreLease"/> that gives it back when released or disposed. Implemented in
/// process (<see cref="InProcessSemaphore"/>) and over Redis (<see cref="DistributedSemaphore"/>,
/// <see cref="DistributedBoundedSemaphore"/>).
/// </summary>
/// <remarks>
/// Safe for concurrent use. Create one instance per key and share it; do not create one per call.
/// <para><b>Disposal.</b> <see cref="DisposeAsync"/> and <see cref="Dispose"/> do the same: callers waiting for a slot
/// end at once with <see cref="ObjectDisposedException"/> (a Redis attempt already sent is read first, bounded by the
/// operation timeout, and a slot it took is handed over), later acquires throw it, and leases already handed out stay
/// valid until released (releasing them still works).</para>
/// </remarks>
public abstract class ThrottleSemaphore : IAsyncDisposable, IDisposable
{
    // _users below zero: retired (evicted from a runtime's cache while idle); acquires are then refused.
    private const int Retired = int.MinValue;

    // Leases handed out and not yet released, oldest first: an intrusive list (no node allocation per acquire).
    private readonly object _outstandingGate = new();
    private SemaphoreLease? _oldest;
    private SemaphoreLease? _newest;

    // Acquires in progress plus leases outstanding: zero means idle, the only state a runtime may evict.
    private int _users;
    private int _disposed;
    private Task? _disposing;

    // Lease disposals whose release answer is still on its way: disposal waits for them (see SemaphoreLease.DisposeAsync).
    private int _releasing;
    private TaskCompletionSource? _releasesAnswered;

    private protected ThrottleSemaphore(string key, int value, TimeSpan? acquireTimeout, TimeProvider? timeProvider)
    {
        Key = Guard.Key(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(value, Throttle.Policies.DistributedSemaphoreOptions.MinValue);
        Value = value;
        AcquireTimeout = acquireTimeout is { } timeout ? Guard.NonNegativeOrInfinite(timeout, nameof(acquireTimeout)) : Timeout.InfiniteTimeSpan;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The semaphore's name; semaphores with the same key (and store) share their slots.</summary>
    public string Key { get; }

    /// <summary>The number of slots: the initial and maximum count.</summary>
    public int Value { get; }

    /// <summary>The longest <see cref="AcquireAsync(CancellationToken)"/> waits; <see cref="Timeout.InfiniteTimeSpan"/> for no bound.</summary>
    public TimeSpan AcquireTimeout { get; }

    /// <summary>The clock of timeouts (and of lease renewal).</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The metrics and logs hook of the runtime that created this semaphore.</summary>
    internal Telemetry.SemaphoreTelemetry? Telemetry { get; set; }

    /// <summary>Leases this instance handed out and that are not released yet.</summary>
    internal int OutstandingCount { get; private set; }

    /// <summary>Takes a slot, waiting at most <see cref="AcquireTimeout"/>.</summary>
    /// <returns>The lease on the slot; release or dispose it to give the slot back.</returns>
    /// <exception cref="SemaphoreTimeoutException">No slot became free within the timeout.</exception>
    public ValueTask<SemaphoreLease> AcquireAsync() => AcquireAsync(AcquireTimeout, CancellationToken.None);

    /// <summary>Takes a slot, waiting at most <see cref="AcquireTimeout"/>.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The lease on the slot; release or dispose it to give the slot back.</returns>
    /// <exception cref="SemaphoreTimeoutException">No slot became free within the timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled while waiting.</exception>
    public ValueTask<SemaphoreLease> AcquireAsync(CancellationToken cancellationToken) =>
        AcquireAsync(AcquireTimeout, cancellationToken);

    /// <summary>Takes a slot, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">The longest wait; <see cref="TimeSpan.Zero"/> to only try, <see cref="Timeout.InfiniteTimeSpan"/> for no bound.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The lease on the slot; release or dispose it to give the slot back.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than infinite).</exception>
    /// <exception cref="SemaphoreTimeoutException">No slot became free within the timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled while waiting.</exception>
    /// <exception cref="ObjectDisposedException">The semaphore was disposed (also while waiting).</exception>
    public ValueTask<SemaphoreLease> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Guard.NonNegativeOrInfinite(timeout, nameof(timeout));
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<SemaphoreLease>(cancellationToken);
        }

        return TryAcquire(timeout, cancellationToken, out var acquiring)
            ? acquiring
            : ValueTask.FromException<SemaphoreLease>(DisposedException());
    }

    /// <summary>Whether the semaphore was disposed (or evicted from a runtime's cache).</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0 || IsRetired;

    /// <summary>Whether a runtime evicted the semaphore while idle; its callers resolve a new one.</summary>
    internal bool IsRetired => Volatile.Read(ref _users) < 0;

    /// <summary>
    /// Ends waiting acquires with <see cref="ObjectDisposedException"/> and refuses new ones; leases already handed out
    /// stay valid and can still be released. A Redis-backed semaphore also stops listening for releases.
    /// </summary>
    /// <returns>Completes when the semaphore has let go of its resources.</returns>
    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return new ValueTask(StartDisposing());
    }

    /// <summary>Does what <see cref="DisposeAsync"/> does, blocking the thread until it is done.</summary>
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        StartDisposing().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Starts an acquire unless the semaphore was retired (false: the caller resolves a new one) or disposed (the
    /// acquire fails with <see cref="ObjectDisposedException"/>). The acquire counts as a user until it fails or its
    /// lease is released.
    /// </summary>
    internal bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken, out ValueTask<SemaphoreLease> acquiring)
    {
        while (true)
        {
            var users = Volatile.Read(ref _users);
            if (users < 0)
            {
                acquiring = default;
                return false;
            }

            if (Interlocked.CompareExchange(ref _users, users + 1, users) == users)
            {
                break;
            }
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            Exit();
            acquiring = ValueTask.FromException<SemaphoreLease>(DisposedException());
            return true;
        }

        try
        {
            acquiring = StartAcquire(timeout, cancellationToken);
        }
        catch
        {
            Exit();
            throw;
        }

        acquiring = HoldUser(acquiring);
        return true;
    }

    /// <summary>
    /// Hands the user count of a started acquire to its lease, or gives it back when the acquire fails. The status is
    /// read once: an acquire completing between two reads (pending, then completed) must not be taken for a failure,
    /// which would give the count back while its lease still holds it (the count then goes negative at the release,
    /// and the semaphore looks retired: every later acquire fails with <see cref="ObjectDisposedException"/>).
    /// </summary>
    internal ValueTask<SemaphoreLease> HoldUser(ValueTask<SemaphoreLease> acquiring)
    {
        if (!acquiring.IsCompleted)
        {
            return ExitOnFailureAsync(acquiring);
        }

        if (!acquiring.IsCompletedSuccessfully)
        {
            Exit();
        }

        return acquiring; // succeeded: the lease holds the user count, until it is released
    }

    private ValueTask<SemaphoreLease> StartAcquire(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = AcquireCoreAsync(timeout, cancellationToken);
        return Telemetry is { } telemetry ? telemetry.Observe(pending, timeout) : pending;
    }

    /// <summary>Retires the semaphore if nobody holds or waits for a slot (atomically); the runtime then forgets it.</summary>
    internal bool TryRetire()
    {
        if (Interlocked.CompareExchange(ref _users, Retired, 0) != 0)
        {
            return false;
        }

        TaskObserver.ObserveFailure(StartDisposing());
        return true;
    }

    /// <summary>An exception for an acquire refused because the semaphore was disposed.</summary>
    private protected ObjectDisposedException DisposedException() =>
        new(GetType().FullName, $"Semaphore '{Key}' was disposed; it hands out no more slots.");

    /// <summary>Ends waiting acquires with <see cref="DisposedException"/> and lets go of resources; called once.</summary>
    private protected abstract ValueTask DisposeCoreAsync();

    private Task StartDisposing()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Volatile.Write(ref _disposing, DisposeAndDrainAsync());
        }

        // Another caller may be between the exchange and the write: spin for that instant.
        Task? disposing;
        var spinner = default(SpinWait);
        while ((disposing = Volatile.Read(ref _disposing)) is null)
        {
            spinner.SpinOnce();
        }

        return disposing;
    }

    private void Exit() => Interlocked.Decrement(ref _users);

    private async Task DisposeAndDrainAsync()
    {
        await DisposeCoreAsync().ConfigureAwait(false);
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _releasesAnswered, answered); // published before the count is read: see EndRelease
        if (Volatile.Read(ref _releasing) == 0)
        {
            answered.TrySetResult();
        }

        await answered.Task.ConfigureAwait(false);
    }

    private void EndRelease()
    {
        if (Interlocked.Decrement(ref _releasing) == 0 && Volatile.Read(ref _releasesAnswered) is { } answered)
        {
            answered.TrySetResult();
        }
    }

    private async ValueTask<SemaphoreLease> ExitOnFailureAsync(ValueTask<SemaphoreLease> acquiring)
    {
        try
        {
            return await acquiring.ConfigureAwait(false);
        }
        catch
        {
            Exit();
            throw;
        }
    }

    /// <summary>Takes a slot, blocking the thread while it waits (for synchronous code).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The lease on the slot.</returns>
    /// <exception cref="SemaphoreTimeoutException">No slot became free within <see cref="AcquireTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled while waiting.</exception>
    public SemaphoreLease Acquire(CancellationToken cancellationToken = default) => Wait(AcquireAsync(cancellationToken));

    /// <summary>
    /// Gives back one slot that this instance handed out: the oldest lease not yet released (as
    /// <see cref="SemaphoreSlim.Release()"/> does, without a lease in hand). With no such lease, a release would raise
    /// the count of free slots above <see cref="Value"/>: bounded semaphores throw and change nothing; the unbounded
    /// <see cref="DistributedSemaphore"/> adds a slot, as in its specification.
    /// </summary>
    /// <param name="cancellationToken">Cancels the release before it is sent.</param>
    /// <exception cref="InvalidOperationException">A bounded semaphore with no slot of this instance held.</exception>
    /// <exception cref="SemaphoreLeaseLostException">The oldest lease had expired; nothing was released.</exception>
    public async ValueTask ReleaseAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            SemaphoreLease? oldest;
            lock (_outstandingGate)
            {
                oldest = _oldest;
            }

            if (oldest is null)
            {
                await ReleaseUnheldAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            if (await oldest.TryReleaseAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            // Another caller released that lease first; take the next one.
        }
    }

    /// <summary>Blocks on <paramref name="pending"/>, avoiding the task allocation when it has completed.</summary>
    internal static SemaphoreLease Wait(ValueTask<SemaphoreLease> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    /// <summary>Waits for a slot; <paramref name="timeout"/> is validated and the token is not yet canceled.</summary>
    private protected abstract ValueTask<SemaphoreLease> AcquireCoreAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Gives the lease's slot back; false when the lease had already expired (nothing released). <paramref name="inBackground"/>:
    /// a disposal, whose answer nobody waits for (it may be sent a moment later, see <see cref="DeferredRelease"/>).
    /// </summary>
    private protected abstract ValueTask<bool> ReleaseLeaseAsync(SemaphoreLease lease, bool inBackground, CancellationToken cancellationToken);

    /// <summary>A release with no lease of this instance outstanding.</summary>
    private protected abstract ValueTask ReleaseUnheldAsync(CancellationToken cancellationToken);

    /// <summary>Creates a lease and records it as outstanding.</summary>
    private protected SemaphoreLease NewLease(string? holderId)
    {
        var lease = new SemaphoreLease(this, holderId);
        lock (_outstandingGate)
        {
            lease.Previous = _newest;
            if (_newest is null)
            {
                _oldest = lease;
            }
            else
            {
                _newest.Next = lease;
            }

            _newest = lease;
            lease.IsOutstanding = true;
            OutstandingCount++;
        }

        return lease;
    }

    internal void Forget(SemaphoreLease lease)
    {
        lock (_outstandingGate)
        {
            if (!lease.IsOutstanding)
            {
                return;
            }

            if (lease.Previous is null)
            {
                _oldest = lease.Next;
            }
            else
            {
                lease.Previous.Next = lease.Next;
            }

            if (lease.Next is null)
            {
                _newest = lease.Previous;
            }
            else
            {
                lease.Next.Previous = lease.Previous;
            }

            lease.Previous = lease.Next = null;
            lease.IsOutstanding = false;
            OutstandingCount--;
        }

        Exit();
    }

    /// <summary>
    /// Sends the release of <paramref name="lease"/> (if still held) and reads its answer in the background, where its
    /// failures end: a lost lease sets <see cref="SemaphoreLease.IsLost"/>, and an unreachable Redis shows in the Redis
    /// layer's metrics and logs (the slot returns when the lease expires). Counted from before it is sent until its
    /// answer is read, so that disposal waits for it.
    /// </summary>
    internal void ReleaseInBackground(SemaphoreLease lease)
    {
        Interlocked.Increment(ref _releasing);
        // A release fails only in the ways ReadReleaseAsync ends; anything else would be a bug, observed all the same.
        TaskObserver.ObserveFailure(ReadReleaseAsync(lease.TryReleaseAsync(CancellationToken.None, inBackground: true)));
    }

    private async Task ReadReleaseAsync(ValueTask<bool> releasing)
    {
        try
        {
            await releasing.ConfigureAwait(false);
        }
        catch (SemaphoreLeaseLostException)
        {
            // Reported through IsLost.
        }
        catch (Exception exception) when (IsRecoverableReleaseFailure(exception))
        {
            // Redis unreachable: renewal has stopped, so the slot returns when the lease expires.
        }
        finally
        {
            EndRelease();
        }
    }

    internal ValueTask<bool> ReleaseCoreAsync(SemaphoreLease lease, bool inBackground, CancellationToken cancellationToken) =>
        ReleaseLeaseAsync(lease, inBackground, cancellationToken);

    /// <summary>Called when a lease is disposed and its release failed for a reason the lease's expiry repairs.</summary>
    internal virtual bool IsRecoverableReleaseFailure(Exception exception) => false;
}
