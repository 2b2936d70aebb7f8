using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Throttle.Internal;

namespace Throttle.Interop;

/// <summary>
/// One <c>AcquireAsync</c> waiting in a <see cref="PartitionState"/>'s queue. It ends exactly once: granted or failed
/// by the queue, cancelled with the caller's own token, or failed when <see cref="ThrottleRateLimiterOptions.MaxWait"/>
/// passes. Continuations run asynchronously, never under the queue's lock.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "The deadline timer is disposed when the acquisition ends (Disarm).")]
internal sealed class QueuedAcquire : TaskCompletionSource<RateLimitLease>
{
    private readonly PartitionState _partition;
    private CancellationTokenRegistration _cancellation;
    private LongTimer? _deadline;

    public QueuedAcquire(PartitionState partition, int permits, long started)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _partition = partition;
        Permits = permits;
        Started = started;
    }

    public int Permits { get; }

    /// <summary>When it joined the queue (a <see cref="TimeProvider"/> timestamp): its wait is bounded from here.</summary>
    public long Started { get; }

    public CancellationToken CancellationToken { get; private set; }

    /// <summary>Its place in the queue; <see langword="null"/> (or detached) once it has left.</summary>
    public LinkedListNode<QueuedAcquire>? Node { get; set; }

    public bool IsQueued => Node?.List is not null;

    /// <summary>Starts listening for cancellation and the deadline. Called under the queue's lock, once queued.</summary>
    public void Arm(TimeSpan maxWait, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        CancellationToken = cancellationToken;
        if (maxWait != Timeout.InfiniteTimeSpan)
        {
            _deadline = new LongTimer(timeProvider, static state => ((QueuedAcquire)state!)._partition.Expire((QueuedAcquire)state!), this, maxWait);
        }

        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static state => ((QueuedAcquire)state!)._partition.Cancel((QueuedAcquire)state!), this);
        }
    }

    /// <summary>Ends the acquisition with <paramref name="lease"/>; after it has left the queue.</summary>
    public bool Complete(RateLimitLease lease)
    {
        Disarm();
        return TrySetResult(lease);
    }

    /// <summary>Ends the acquisition as cancelled by the caller's token; after it has left the queue.</summary>
    public void CompleteCancelled()
    {
        Disarm();
        TrySetCanceled(CancellationToken);
    }

    /// <summary>Ends the acquisition with a storage failure, which its caller observes.</summary>
    public void CompleteFailed(Exception exception)
    {
        Disarm();
        TrySetException(exception);
    }

    // Unregister, not Dispose: Dispose would wait for a cancellation callback running on another thread, which may be
    // waiting for the queue's lock that the caller holds.
    private void Disarm()
    {
        _cancellation.Unregister();
        _deadline?.Dispose();
    }
}
