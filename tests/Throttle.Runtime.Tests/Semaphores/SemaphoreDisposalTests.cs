using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Semaphores;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Semaphores;

/// <summary>
/// Disposing a semaphore, asynchronously or not, ends its waiters with <see cref="ObjectDisposedException"/> at once,
/// refuses later acquires, and leaves the leases already handed out valid and releasable.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class SemaphoreDisposalTests(RedisFixture redis)
{
    // Only guards against a hang: "at once" is checked by the waiter having ended before this, on an infinite timeout.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    public static TheoryData<bool> Ways => new() { true, false };

    private static ValueTask Dispose(ThrottleSemaphore semaphore, bool asynchronously)
    {
        if (asynchronously)
        {
            return semaphore.DisposeAsync();
        }

        semaphore.Dispose();
        return default;
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public async Task In_process_waiters_end_with_ObjectDisposedException_and_held_leases_stay_releasable(bool asynchronously)
    {
        var semaphore = new InProcessSemaphore("k", 1);
        var held = await semaphore.AcquireAsync();
        var waiter = semaphore.AcquireAsync(Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        Assert.False(waiter.IsCompleted);

        await Dispose(semaphore, asynchronously);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiter.WaitAsync(Guard));
        Assert.Equal(0, semaphore.WaitingCount);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
        await held.ReleaseAsync();
        Assert.Equal(1, semaphore.CurrentCount);
        await Dispose(semaphore, !asynchronously); // a second dispose, either way, is a no-op
    }

    [RedisTheory]
    [MemberData(nameof(Ways))]
    public async Task Redis_waiters_end_with_ObjectDisposedException_and_held_leases_stay_releasable(bool asynchronously)
    {
        var key = redis.KeyPrefix() + "s";
        var semaphore = new DistributedBoundedSemaphore(redis.Connection, key, 1, acquireSleepDelay: TimeSpan.FromSeconds(5));
        await using var other = new DistributedBoundedSemaphore(redis.Connection, key, 1);
        var held = await semaphore.AcquireAsync();
        var waiter = semaphore.AcquireAsync(Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        await Task.Delay(100); // let it queue and start sleeping (5 s poll): only disposal can end it this soon
        Assert.False(waiter.IsCompleted);

        await Dispose(semaphore, asynchronously);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiter.WaitAsync(Guard));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
        await held.ReleaseAsync();

        // The slot came back and the waiter left the queue: another instance takes it at once.
        await using var lease = await other.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(0, await redis.Database.SortedSetLengthAsync(semaphore.QueueKey));
    }
}
