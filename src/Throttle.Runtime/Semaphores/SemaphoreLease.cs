using System;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Semaphores;

/// <summary>
/// One slot of a <see cref="ThrottleSemaphore"/>, held until <see cref="ReleaseAsync"/> or dispose. A Redis-backed
/// lease expires unless renewed; the semaphore renews it in the background while it is held, so only a crashed (or
/// cut-off) holder loses it. <see cref="IsLost"/> tells when that happened.
/// </summary>
/// <remarks>
/// <see cref="ReleaseAsync"/> reports a lost lease with <see cref="SemaphoreLeaseLostException"/>;
/// <see cref="DisposeAsync"/> and <see cref="Dispose"/> never throw for it (they run in <c>finally</c> blocks), and
/// they do not throw when Redis is unreachable either: the slot then comes back when the lease expires.
/// </remarks>
public sealed class SemaphoreLease : IAsyncDisposable, IDisposable
{
    private const int Held = 0;
    private const int Released = 1;
    private const int Lost = 2;
    private const int LostAndReleased = 3;

    private int _state;

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

    internal string? HolderId { get; }

    internal SemaphoreLease? Previous { get; set; }

    internal SemaphoreLease? Next { get; set; }

    internal bool IsOutstanding { get; set; }

    internal ITimer? RenewalTimer { get; set; }

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

    /// <summary>Releases the slot if held; never throws for a lost lease or an unreachable Redis.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await TryReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (SemaphoreLeaseLostException)
        {
            // Reported through IsLost; a finally block must not replace the caller's exception with this one.
        }
        catch (Exception exception) when (Semaphore.IsRecoverableReleaseFailure(exception))
        {
            // Redis unreachable: renewal has stopped, so the slot returns when the lease expires.
        }
    }

    /// <summary>Releases the slot if held, blocking the thread; never throws for a lost lease or an unreachable Redis.</summary>
    public void Dispose()
    {
        var pending = DisposeAsync();
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Marks the lease lost (renewal found it expired) and stops renewing.</summary>
    internal void MarkLost()
    {
        if (Interlocked.CompareExchange(ref _state, Lost, Held) == Held)
        {
            Semaphore.Telemetry?.LeaseLost();
            StopRenewal();
        }
    }

    /// <summary>Releases if this call wins the lease; false when it was already released.</summary>
    /// <exception cref="SemaphoreLeaseLostException">The lease had expired.</exception>
    internal async ValueTask<bool> TryReleaseAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var previous = Interlocked.CompareExchange(ref _state, Released, Held);
        if (previous == Lost && Interlocked.CompareExchange(ref _state, LostAndReleased, Lost) == Lost)
        {
            Semaphore.Forget(this);
            throw LostException();
        }

        if (previous != Held)
        {
            return false;
        }

        StopRenewal();
        Semaphore.Forget(this);
        if (!await Semaphore.ReleaseCoreAsync(this, cancellationToken).ConfigureAwait(false))
        {
            Volatile.Write(ref _state, LostAndReleased);
            throw LostException();
        }

        return true;
    }

    private void StopRenewal() => RenewalTimer?.Dispose();

    private SemaphoreLeaseLostException LostException() =>
        new($"The lease on semaphore '{Semaphore.Key}' had expired before it was released; its slot had already been reclaimed and nothing was released.");
}
