using System;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Semaphores;

/// <summary>
/// The release of a disposed Redis lease, held back until the thread-pool work item that disposed it ends, so that the
/// next acquire of the same <see cref="DistributedSemaphore"/> instance on the same thread can carry it: one script call
/// for both, where a caller that disposes a lease and acquires again (every busy loop, every call of a
/// <c>[DistributedSemaphore]</c> method after another) would make two. Whichever takes it first sends it: that acquire,
/// or this work item. Completes with the release's status (false: the lease had expired, nothing was released) or its
/// failure.
/// </summary>
internal sealed class DeferredRelease : TaskCompletionSource<bool>, IThreadPoolWorkItem
{
    private const int Pending = 0;
    private const int Carried = 1;
    private const int Sending = 2;
    private const int Sent = 3;

    // The latest release deferred on this thread: where the thread's next acquire looks (a stale one is already taken).
    [ThreadStatic]
    private static DeferredRelease? t_latest;

    private int _state;

    private DeferredRelease(DistributedSemaphore semaphore, string holderId)
    {
        Semaphore = semaphore;
        HolderId = holderId;
    }

    /// <summary>The semaphore the lease belongs to.</summary>
    public DistributedSemaphore Semaphore { get; }

    /// <summary>The holder id of the lease to release.</summary>
    public string HolderId { get; }

    /// <summary>Defers the release of <paramref name="holderId"/>: sent alone at the end of this work item, unless taken first.</summary>
    public static DeferredRelease Defer(DistributedSemaphore semaphore, string holderId)
    {
        var deferred = new DeferredRelease(semaphore, holderId);
        t_latest = deferred;
        ThreadPool.UnsafeQueueUserWorkItem(deferred, preferLocal: true);
        return deferred;
    }

    /// <summary>
    /// Takes the release this thread deferred last for <paramref name="semaphore"/>, to carry it, if its work item has
    /// not; when that is sending it alone (another thread took the item), returns once it is sent, so that the caller's
    /// attempt still reaches Redis after it.
    /// </summary>
    public static DeferredRelease? TakeLatest(DistributedSemaphore semaphore)
    {
        var latest = t_latest;
        if (latest is null || !ReferenceEquals(latest.Semaphore, semaphore))
        {
            return null;
        }

        t_latest = null;
        if (Interlocked.CompareExchange(ref latest._state, Carried, Pending) == Pending)
        {
            return latest;
        }

        // Sending: the call is being handed to the connection, a moment with no await in it. Spin and yield, never
        // sleep: a 1 ms sleep here would cost more than the round trip the carrying saves.
        var spinner = default(SpinWait);
        while (Volatile.Read(ref latest._state) == Sending)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return null;
    }

    /// <summary>Called by the sender once the release is handed to the connection (later calls on it come after).</summary>
    public void MarkSent() => Volatile.Write(ref _state, Sent);

    void IThreadPoolWorkItem.Execute()
    {
        if (ReferenceEquals(t_latest, this))
        {
            t_latest = null; // run on the thread that deferred it: nothing there to carry any more
        }

        if (Interlocked.CompareExchange(ref _state, Sending, Pending) == Pending)
        {
            Semaphore.SendAlone(this);
        }
    }
}
