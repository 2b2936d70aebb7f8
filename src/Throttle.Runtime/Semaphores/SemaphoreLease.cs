using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;

namespace Throttle.Semaphores;

/// <summary>
/// One slot of a <see cref="ThrottleSemaphore"/>, held until <see cref="ReleaseAsync"/> or dispose. A Redis-backed
/// lease expires unless renewed; the semaphore renews it in the background while it is held, so only a crashed (or
/// cut-off) holder loses it. <see cref="IsLost"/> tells when that happened.
/// </summary>
/// <remarks>
/// <para><see cref="ReleaseAsync"/> reports a lost lease with <see cref="SemaphoreLeaseLostException"/> and an
/// unreachable Redis with <see cref="Throttle.Storage.ThrottleStorageException"/>, never a raw client exception;
/// <see cref="DisposeAsync"/> and <see cref="Dispose"/> throw for neither (they run in <c>finally</c> blocks) and do not
/// wait for Redis's answer, which they read in the background: the slot of a release that could not reach Redis comes
/// back when the lease expires.</para>
/// <para><b>Losing a lease.</b> <see cref="LeaseLost"/> is cancelled when the semaphore learns that the lease is gone:
/// a renewal finds it expired or missing (Redis restarted or was flushed, or the slot was reclaimed and given to
/// another holder), or its deadline passes: one <see cref="DistributedSemaphore.LeaseTime"/> after the last renewal
/// Redis confirmed (counted from when it was sent, so no later than the lease's expiry on Redis). So during an outage
/// a holder is lost before anyone else can be given its slot (up to clock drift); when Redis loses the slot while the
/// holder is alive (restart, flush), the holder learns it at its next renewal, at most one renewal period plus the
/// operation timeout (<c>LeaseTime / 3 + OperationTimeout</c>) after Redis answers it again: that is how long a lost
/// holder can run beside a new one. A <c>[DistributedSemaphore]</c> method's <see cref="CancellationToken"/> is linked to it.</para>
/// </remarks>
public sealed class SemaphoreLease : IAsyncDisposable, IDisposable
{
    private const int Held = 0;
    private const int Released = 1;
    private const int Lost = 2;
    private const int LostAndReleased = 3;

    private int _state;
    private CancellationTokenSource? _lost;
    private CancellationTokenSource? _linked;

    internal SemaphoreLease(ThrottleSemaphore semaphore, string? holderId)
    {
        Semaphore = semaphore;
        HolderId = holderId;
    }

    /// <summary>The semaphore the slot belongs to.</summary>
    public ThrottleSemaphore Semaphore { get; }

    /// <summary>Whether the lease has been released (or disposed).</summary>
    public bool IsReleased => Volatile.Read(ref _state) is Released or LostAndReleased;

    /// <summary>
    /// Whether the lease expired while held: renewal failed for longer than the lease time (the process stalled, or
    /// Redis was unreachable or restarted), so the slot may have gone to someone else.
    /// </summary>
    public bool IsLost => Volatile.Read(ref _state) is Lost or LostAndReleased;

    /// <summary>
    /// Cancelled when the lease is lost (see <see cref="IsLost"/>): stop the work the slot protects, as someone else may
    /// now hold it. Never cancelled for a lease that cannot be lost (an <see cref="InProcessSemaphore"/>'s), nor by a
    /// release. The idiom of DistributedLock's <c>HandleLostToken</c>.
    /// </summary>
    public CancellationToken LeaseLost
    {
        get
        {
            if (!CanBeLost)
            {
                return CancellationToken.None;
            }

            var source = Volatile.Read(ref _lost);
            if (source is null)
            {
                var created = new CancellationTokenSource();
                source = Interlocked.CompareExchange(ref _lost, created, null) ?? created;
                if (IsLost)
                {
                    // Lost before anyone asked: MarkLost may have looked for the source before it existed.
                    source.Cancel();
                }
            }

            return source.Token;
        }
    }

    internal string? HolderId { get; }

    /// <summary>Whether the lease can be lost: a Redis lease (with a holder id); in-process leases never expire.</summary>
    internal bool CanBeLost => HolderId is not null;

    internal SemaphoreLease? Previous { get; set; }

    internal SemaphoreLease? Next { get; set; }

    internal bool IsOutstanding { get; set; }

    /// <summary>The lease's one timer: its renewals and its local deadline (see <see cref="DistributedSemaphore"/>).</summary>
    internal ITimer? RenewalTimer { get; set; }

    /// <summary>Local timestamp of the attempt that took the slot: renewals are due every third of the lease time from it.</summary>
    internal long StartedAt { get; set; }

    /// <summary>How many renewal periods have been served (renewals sent or skipped by a stall).</summary>
    internal long Renewals { get; set; }

    /// <summary>Local timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the last confirmed renewal.</summary>
    internal long ConfirmedAt { get; set; }

    /// <summary>Gives the slot back.</summary>
    /// <param name="cancellationToken">Cancels the release before it is sent.</param>
    /// <exception cref="InvalidOperationException">The lease was already released.</exception>
    /// <exception cref="SemaphoreLeaseLostException">The lease had expired; its slot was reclaimed, nothing was released.</exception>
    public async ValueTask ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (!await TryReleaseAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"This lease on semaphore '{Semaphore.Key}' was already released.");
        }
    }

    /// <summary>
    /// Releases the slot if held, without waiting for Redis's answer. Never throws for a lost lease or an unreachable
    /// Redis.
    /// </summary>
    /// <remarks>
    /// A Redis lease's release goes with the next acquire of the same semaphore instance that the disposing code starts
    /// before its thread-pool work item ends (one script call for both: the release comes first, so that acquire finds
    /// the slot), and on its own at the end of that work item otherwise. Other instances and processes see the slot
    /// free from then on. Its answer is read in the background: a lease found expired then sets <see cref="IsLost"/>
    /// (and cancels <see cref="LeaseLost"/>), waiters of this instance it hands the slot to are woken, and a failure shows
    /// in the Redis layer's metrics and logs (the slot returns when the lease expires). Disposing the semaphore waits for
    /// the releases still pending and their answers. Use <see cref="ReleaseAsync"/> to wait for the answer.
    /// </remarks>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Semaphore.ReleaseInBackground(this);
        return default;
    }

    /// <summary>Releases the slot if held, as <see cref="DisposeAsync"/> does (without waiting for Redis's answer, so without blocking); never throws for a lost lease or an unreachable Redis.</summary>
    public void Dispose() => Semaphore.ReleaseInBackground(this);

    /// <summary>
    /// The token a <c>[DistributedSemaphore]</c> method runs with: <paramref name="caller"/>'s, cancelled also when the
    /// lease is lost. The linked source it may need lives until the lease is released.
    /// </summary>
    internal CancellationToken Link(CancellationToken caller)
    {
        if (!CanBeLost)
        {
            return caller;
        }

        if (!caller.CanBeCanceled)
        {
            return LeaseLost;
        }

        var linked = CancellationTokenSource.CreateLinkedTokenSource(caller, LeaseLost);
        Volatile.Write(ref _linked, linked);
        return linked.Token;
    }

    /// <summary>Marks the lease lost (renewal found it expired, or it was gone) and stops renewing; cancels <see cref="LeaseLost"/>.</summary>
    internal void MarkLost()
    {
        if (Interlocked.CompareExchange(ref _state, Lost, Held) == Held)
        {
            Semaphore.Telemetry?.LeaseLost();
            StopRenewal();

            CancelLost();
        }
    }

    /// <summary>Releases if this call wins the lease; false when it was already released.</summary>
    /// <exception cref="SemaphoreLeaseLostException">The lease had expired.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // internal, awaited once by each caller
    internal async ValueTask<bool> TryReleaseAsync(CancellationToken cancellationToken, bool inBackground = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var previous = Interlocked.CompareExchange(ref _state, Released, Held);
        if (previous == Lost && Interlocked.CompareExchange(ref _state, LostAndReleased, Lost) == Lost)
        {
            DisposeLinked();
            Semaphore.Forget(this);
            throw LostException();
        }

        if (previous != Held)
        {
            return false;
        }

        StopRenewal();
        DisposeLinked();
        Semaphore.Forget(this);
        if (!await Semaphore.ReleaseCoreAsync(this, inBackground, cancellationToken).ConfigureAwait(false))
        {
            Volatile.Write(ref _state, LostAndReleased);
            CancelLost();
            throw LostException();
        }

        return true;
    }

    private void StopRenewal()
    {
        RenewalTimer?.Dispose();
    }

    private void CancelLost()
    {
        // Callbacks registered on the token run on the thread pool, not on the renewal timer's thread, and their
        // exceptions stay in the returned task (observed).
        if (Volatile.Read(ref _lost) is { } source)
        {
            TaskObserver.ObserveFailure(source.CancelAsync());
        }
    }

    // Once released: the method that ran with the linked token has ended.
    private void DisposeLinked() => Interlocked.Exchange(ref _linked, null)?.Dispose();

    private SemaphoreLeaseLostException LostException() =>
        new($"The lease on semaphore '{Semaphore.Key}' had expired before it was released; its slot had already been reclaimed and nothing was released.");
}
