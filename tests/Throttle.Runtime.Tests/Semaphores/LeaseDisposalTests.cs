using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Semaphores;
using Throttle.Storage;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Throttle.Tests.Scheduling;
using Xunit;

namespace Throttle.Tests.Semaphores;

/// <summary>
/// Disposing a Redis lease releases it without waiting for the answer: the instance's next acquire carries the release
/// (or comes after it), the answer still marks a lost lease, and disposing the semaphore waits for it.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class LeaseDisposalTests(RedisFixture redis)
{
    // Only guards against a hang.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task Dispose_returns_before_Redis_answers_and_disposing_the_semaphore_waits_for_the_answer()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync();
        await using var admin = await server.ConnectAsync(options => options.AllowAdmin = true);
        var semaphore = new DistributedBoundedSemaphore(connection, "paused", 1);
        var lease = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);

        // Scripts wait while writes are paused (reads go on): the release is sent and stays unanswered.
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "30000", "WRITE");
        try
        {
            var disposing = lease.DisposeAsync();
            Assert.True(disposing.IsCompleted);
            Assert.True(lease.IsReleased);

            var closing = semaphore.DisposeAsync().AsTask();
            Assert.False(closing.IsCompleted); // nothing else to wait for: no waiter ever subscribed
            Assert.Equal(1, await admin.GetDatabase().SortedSetLengthAsync(semaphore.HoldersKey));
        }
        finally
        {
            await admin.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");
        }

        await semaphore.DisposeAsync().AsTask().WaitAsync(Guard);
        Assert.Equal(0, await admin.GetDatabase().SortedSetLengthAsync(semaphore.HoldersKey));
        Assert.False(lease.IsLost);
    }

    [RedisFact]
    public async Task The_instances_next_acquire_finds_the_slot_a_disposal_freed_and_another_instance_gets_it_too()
    {
        var key = redis.KeyPrefix() + "s";
        await using var semaphore = new DistributedBoundedSemaphore(redis.Connection, key, 1);
        await using var other = new DistributedBoundedSemaphore(redis.Connection, key, 1);
        for (var i = 0; i < 20; i++)
        {
            var lease = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
            await lease.DisposeAsync();

            // This instance's next attempt, a try only: a release that reached Redis after it would leave it refused.
            // Another instance's acquire is not ordered after the disposal (it may wait for the release a moment).
            var next = i % 2 == 0
                ? await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None)
                : await other.AcquireAsync(Guard, CancellationToken.None);
            await next.ReleaseAsync();
        }
    }

    [RedisFact]
    public async Task A_disposal_carried_by_the_next_acquire_hands_the_slot_to_a_waiter_of_another_instance_first()
    {
        var key = redis.KeyPrefix() + "s";
        await using var semaphore = new DistributedBoundedSemaphore(redis.Connection, key, 1);
        await using var other = new DistributedBoundedSemaphore(redis.Connection, key, 1);
        var lease = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        var waiter = other.AcquireAsync(Guard, CancellationToken.None).AsTask();
        Assert.True(await Eventually.TrueAsync(async () => await redis.Database.SortedSetLengthAsync(semaphore.QueueKey) == 1));

        // The disposal and the next acquire go as one call: the release hands the slot to the waiter queued first.
        await lease.DisposeAsync();
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
        await (await waiter.WaitAsync(Guard)).ReleaseAsync();
        Assert.False(lease.IsLost);
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_disposal_carried_by_the_next_acquire_with_nobody_waiting_passes_its_slot_on_in_one_call()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync();
        await using var admin = await server.ConnectAsync(options => options.AllowAdmin = true);
        await using var semaphore = new DistributedBoundedSemaphore(connection, "s", 2);
        await using var other = new DistributedBoundedSemaphore(connection, "s", 2);
        var kept = await other.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        var adminServer = admin.GetServer(server.Endpoint);
        var db = admin.GetDatabase();

        // A disposal rides with the next acquire unless an idle worker sends it first (at the end of the work item):
        // tried until one rides, a bounded number of times (none riding fails).
        var next = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        var rode = false;
        for (var attempt = 0; attempt < 50 && !rode; attempt++)
        {
            var first = next;
            await adminServer.ConfigResetStatisticsAsync();
            await first.DisposeAsync();
            next = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
            rode = await RedisCommandStats.ScriptCallsAsync(adminServer) == 1;

            // Either way the freed slot went to the new lease: two holders, the semaphore full, every key with its TTL.
            Assert.Equal(2, await db.SortedSetLengthAsync(semaphore.HoldersKey));
            Assert.Null(await db.SortedSetScoreAsync(semaphore.HoldersKey, first.HolderId));
            Assert.NotNull(await db.SortedSetScoreAsync(semaphore.HoldersKey, next.HolderId));
            Assert.True((await db.KeyTimeToLiveAsync(semaphore.HoldersKey)) > TimeSpan.Zero);
            await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => other.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
            Assert.False(first.IsLost);
        }

        Assert.True(rode, "no disposal of 50 rode with the next acquire");

        // With the other lease gone too, the carried release leaves a single holder, and the key keeps its TTL.
        await kept.ReleaseAsync();
        await next.DisposeAsync();
        var last = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(1, await db.SortedSetLengthAsync(semaphore.HoldersKey));
        Assert.NotNull(await db.SortedSetScoreAsync(semaphore.HoldersKey, last.HolderId));
        Assert.True((await db.KeyTimeToLiveAsync(semaphore.HoldersKey)) > TimeSpan.Zero);
        await last.ReleaseAsync();
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_disposal_whose_release_fails_with_the_next_acquire_stays_quiet_and_the_acquire_reports_the_failure()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var storage = new RedisStorage(server.Endpoint, new RedisStorageOptions { OperationTimeout = TimeSpan.FromMilliseconds(300) });
        var semaphore = new DistributedBoundedSemaphore(storage, "paused", null, 2, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), null);
        var lease = await Throttle.Tests.Faults.FaultRecovery.EventuallyAsync(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
        await using var admin = await server.ConnectAsync(options => options.AllowAdmin = true);
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "2000", "ALL"); // longer than the operation timeout (kept connected: it holds the pause)

        await lease.DisposeAsync();
        await Assert.ThrowsAsync<ThrottleStorageException>(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());

        // The release's failure ended quietly: not a lost lease, nothing left for the semaphore's disposal to wait for.
        await semaphore.DisposeAsync().AsTask().WaitAsync(Guard);
        Assert.True(lease.IsReleased);
        Assert.False(lease.IsLost);
    }

    [RedisFact]
    public async Task A_lease_found_gone_by_a_disposal_is_marked_lost_when_the_answer_arrives()
    {
        var semaphore = new DistributedBoundedSemaphore(redis.Connection, redis.KeyPrefix() + "s", 1);
        var lease = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        var lost = lease.LeaseLost;
        await redis.Database.KeyDeleteAsync(semaphore.HoldersKey); // as a flushed or restarted Redis would

        lease.Dispose(); // throws nothing: the loss is reported through IsLost and LeaseLost
        await semaphore.DisposeAsync().AsTask().WaitAsync(Guard); // waits for the answer

        Assert.True(lease.IsLost);
        Assert.True(lost.IsCancellationRequested);
        await Assert.ThrowsAsync<InvalidOperationException>(() => lease.ReleaseAsync().AsTask());
    }
}
