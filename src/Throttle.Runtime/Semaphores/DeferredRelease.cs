using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Semaphores;

/// <summary>
/// The release of a disposed Redis lease, held back until the thread-pool work item that disposed it ends, so that the
/// next acquire of the same <see cref="DistributedSemaphore"/> instance can carry it: one script call for both, where a
/// caller that disposes a lease and acquires again (every busy loop, every call of a <c>[DistributedSemaphore]</c>
/// method after another) would make two. Whichever comes first sends it: that acquire, or this work item. Completes with
/// the release's status (false: the lease had expired, nothing was released) or its failure.
/// </summary>
internal sealed class DeferredRelease(DistributedSemaphore semaphore, string holderId) : TaskCompletionSource<bool>, IThreadPoolWorkItem
{
    /// <summary>The holder id of the lease to release.</summary>
    public string HolderId { get; } = holderId;

    void IThreadPoolWorkItem.Execute() => semaphore.SendDeferredRelease();
}
