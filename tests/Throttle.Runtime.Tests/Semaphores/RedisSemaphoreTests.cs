using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Throttle.Infrastructure;
using Throttle.Semaphores;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Semaphores;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisSemaphoreTests(RedisFixture redis)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private IDatabase Db => redis.Database;

    [RedisFact]
    public async Task Slots_are_leased_up_to_the_value_and_given_back()
    {
        await using var semaphore = new DistributedBoundedSemaphore(redis.Connection, redis.KeyPrefix() + "s", 2);
        var first = await semaphore.AcquireAsync();
        var second = await semaphore.AcquireAsync();
        Assert.Equal(2, await Db.SortedSetLengthAsync(semaphore.HoldersKey));
        Assert.Equal("2", (string?)await Db.HashGetAsync(semaphore.MetaKey, "v"));

        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());

        await first.ReleaseAsync();
        Assert.Equal(1, await Db.SortedSetLengthAsync(semaphore.HoldersKey));
        await second.DisposeAsync(); // sends the release without waiting for its answer; disposing the semaphore waits for it
        await semaphore.DisposeAsync();
        Assert.Equal(0, await Db.SortedSetLengthAsync(semaphore.HoldersKey));
    }

    [RedisFact]
    public async Task The_same_key_with_another_value_is_a_clear_error_and_changes_nothing()
    {
        var key = redis.KeyPrefix() + "s";
        await using var three = new DistributedBoundedSemaphore(redis.Connection, key, 3);
        await using var lease = await three.AcquireAsync();
        await using var five = new DistributedBoundedSemaphore(redis.Connection, key, 5);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => five.AcquireAsync().AsTask());
        Assert.Contains("value 3", error.Message, StringComparison.Ordinal);
        Assert.Equal("3", (string?)await Db.HashGetAsync(three.MetaKey, "v"));
        Assert.Equal(1, await Db.SortedSetLengthAsync(three.HoldersKey));
    }

    [RedisFact]
    public async Task Bounded_over_release_throws_and_leaves_the_state_unchanged()
    {
        var key = redis.KeyPrefix() + "s";
        await using var semaphore = new DistributedBoundedSemaphore(redis.Connection, key, 2);
        await using var stranger = new DistributedBoundedSemaphore(redis.Connection, key, 2);
        var held = await semaphore.AcquireAsync();
        var lease = await semaphore.AcquireAsync();
        await lease.ReleaseAsync();
        var before = await SnapshotAsync(semaphore);

        await Assert.ThrowsAsync<InvalidOperationException>(() => lease.ReleaseAsync().AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => stranger.ReleaseAsync().AsTask()); // holds nothing
        await semaphore.ReleaseAsync(); // releases `held`, its instance's only outstanding lease
        Assert.True(held.IsReleased);
        await Assert.ThrowsAsync<InvalidOperationException>(() => semaphore.ReleaseAsync().AsTask());

        Assert.Equal(before.Max, (await SnapshotAsync(semaphore)).Max);
        Assert.Equal(0, await Db.SortedSetLengthAsync(semaphore.HoldersKey));
        await using var a = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        await using var b = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
    }

    [RedisFact]
    public async Task Unbounded_over_release_adds_a_slot_as_in_the_spec()
    {
        await using var semaphore = new DistributedSemaphore(redis.Connection, redis.KeyPrefix() + "s", 1);
        await semaphore.ReleaseAsync();
        await using var a = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        await using var b = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
    }

    [RedisFact]
    public async Task Concurrent_releases_cannot_overshoot()
    {
        var key = redis.KeyPrefix() + "s";
        await using var owner = new DistributedBoundedSemaphore(redis.Connection, key, 3);
        await using var other = new DistributedBoundedSemaphore(redis.Connection, key, 3);
        var leases = new[] { await owner.AcquireAsync(), await owner.AcquireAsync(), await owner.AcquireAsync() };
        using var start = new ManualResetEventSlim();

        // Three kinds of racing release: the lease itself, the instance's Release, and another instance releasing the
        // same holder id straight through the script (as a second process would).
        var attempts = Enumerable.Range(0, 30).Select(i => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                switch (i % 3)
                {
                    case 0:
                        await leases[i % 9 / 3].ReleaseAsync();
                        return 1;
                    case 1:
                        await owner.ReleaseAsync();
                        return 1;
                    default:
                        return (int)await other.ReleaseHolderAsync(leases[i % 9 / 3].HolderId!);
                }
            }
            catch (InvalidOperationException)
            {
                return 0; // already released, lost, or nothing held: not a release
            }
        })).ToArray();

        start.Set();
        var released = (await Task.WhenAll(attempts).WaitAsync(Guard)).Sum();
        Assert.Equal(3, released);
        Assert.Equal(0, await Db.SortedSetLengthAsync(owner.HoldersKey));
        var again = new List<SemaphoreLease>();
        for (var i = 0; i < 3; i++)
        {
            again.Add(await owner.AcquireAsync(TimeSpan.Zero, CancellationToken.None));
        }

        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => owner.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
        foreach (var lease in again)
        {
            await lease.DisposeAsync();
        }
    }

    [RedisFact]
    public async Task A_waiter_times_out_and_leaves_the_queue()
    {
        await using var semaphore = new DistributedBoundedSemaphore(redis.Connection, redis.KeyPrefix() + "s", 1, acquireTimeout: TimeSpan.FromMilliseconds(300));
        await using var held = await semaphore.AcquireAsync();
        var error = await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => semaphore.AcquireAsync().AsTask().WaitAsync(Guard));
        Assert.Equal(semaphore.Key, error.Key);
        Assert.Equal(0, await Db.SortedSetLengthAsync(QueueKey(semaphore)));
    }

    [RedisFact]
    public async Task Cancellation_while_waiting_throws_leaves_the_queue_and_takes_no_slot()
    {
        await using var semaphore = new DistributedBoundedSemaphore(redis.Connection, redis.KeyPrefix() + "s", 1, TimeSpan.FromSeconds(30));
        var held = await semaphore.AcquireAsync();
        using var cancellation = new CancellationTokenSource();
        var waiting = semaphore.AcquireAsync(cancellation.Token).AsTask();
        await WaitUntilAsync(async () => await Db.SortedSetLengthAsync(QueueKey(semaphore)) == 1);

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Guard));
        Assert.Equal(0, await Db.SortedSetLengthAsync(QueueKey(semaphore)));
        await held.ReleaseAsync();
        await using var next = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
    }

    [RedisFact]
    public async Task A_waiter_is_woken_by_the_release_not_by_polling()
    {
        // Polling every 30 s: the waiter can only finish within the guard because the release wakes it.
        var key = redis.KeyPrefix() + "s";
        var sleep = TimeSpan.FromSeconds(30);
        var lease = TimeSpan.FromSeconds(90);
        await using var holder = new DistributedBoundedSemaphore(redis.Connection, key, 1, sleep, leaseTime: lease);
        await using var waiter = new DistributedBoundedSemaphore(redis.Connection, key, 1, sleep, leaseTime: lease);
        var held = await holder.AcquireAsync();
        var waiting = waiter.AcquireAsync().AsTask();
        await WaitUntilAsync(async () => await Db.SortedSetLengthAsync(QueueKey(waiter)) == 1);
        await Task.Delay(200); // let the waiter subscribe, look again and settle into its 30 s wait

        await held.ReleaseAsync();
        await using var acquired = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(acquired.IsLost);
    }

    [RedisFact]
    public async Task Waiters_are_served_in_arrival_order_across_instances()
    {
        var key = redis.KeyPrefix() + "s";
        await using var holder = new DistributedBoundedSemaphore(redis.Connection, key, 1);
        var held = await holder.AcquireAsync();
        var order = new List<int>();
        var waiters = new List<Task>();
        var instances = new List<DistributedBoundedSemaphore>();
        for (var i = 0; i < 4; i++)
        {
            var instance = new DistributedBoundedSemaphore(redis.Connection, key, 1, TimeSpan.FromMilliseconds(20));
            instances.Add(instance);
            var index = i;
            waiters.Add(Task.Run(async () =>
            {
                await using var lease = await instance.AcquireAsync();
                lock (order)
                {
                    order.Add(index);
                }
            }));
            await WaitUntilAsync(async () => await Db.SortedSetLengthAsync(QueueKey(holder)) == index + 1);
        }

        await held.ReleaseAsync();
        await Task.WhenAll(waiters).WaitAsync(Guard);
        Assert.Equal([0, 1, 2, 3], order);
        foreach (var instance in instances)
        {
            await instance.DisposeAsync();
        }
    }

    [RedisFact]
    public async Task A_held_lease_is_renewed_every_third_of_the_lease_time()
    {
        var clock = new FakeTimeProvider();
        await using var semaphore = new DistributedBoundedSemaphore(redis.Connection, redis.KeyPrefix() + "s", 1, leaseTime: TimeSpan.FromSeconds(60), timeProvider: clock);
        await using var lease = await semaphore.AcquireAsync();
        var first = (await Db.SortedSetScoreAsync(semaphore.HoldersKey, lease.HolderId))!.Value;

        await Task.Delay(5); // the server clock (ms) must move for the new expiry to differ
        clock.Advance(TimeSpan.FromSeconds(20));
        await WaitUntilAsync(async () => (await Db.SortedSetScoreAsync(semaphore.HoldersKey, lease.HolderId))!.Value > first);
        Assert.False(lease.IsLost);
    }

    [RedisFact]
    public async Task A_holder_that_stops_renewing_loses_its_slot_within_the_lease_time_and_its_release_is_reported()
    {
        var key = redis.KeyPrefix() + "s";
        var stalled = new FakeTimeProvider(); // never advanced: this holder never renews
        await using var stuck = new DistributedBoundedSemaphore(redis.Connection, key, 1, leaseTime: TimeSpan.FromMilliseconds(300), timeProvider: stalled);
        await using var other = new DistributedBoundedSemaphore(redis.Connection, key, 1, TimeSpan.FromSeconds(30), leaseTime: TimeSpan.FromSeconds(30));
        var lost = await stuck.AcquireAsync();

        // The waiter polls every 30 s, but wakes when the earliest lease expires.
        await using var taken = await other.AcquireAsync(TimeSpan.FromSeconds(10), CancellationToken.None);

        stalled.Advance(TimeSpan.FromMilliseconds(100)); // the renewal now runs and finds the lease gone
        await WaitUntilAsync(() => Task.FromResult(lost.IsLost));
        await Assert.ThrowsAsync<SemaphoreLeaseLostException>(() => lost.ReleaseAsync().AsTask());
        await lost.DisposeAsync(); // reported once; dispose stays quiet
        Assert.Equal(1, await Db.SortedSetLengthAsync(other.HoldersKey)); // the new holder's slot was not released
    }

    [RedisFact]
    public async Task Releasing_an_expired_lease_before_renewal_notices_is_reported_not_double_released()
    {
        var key = redis.KeyPrefix() + "s";
        var stalled = new FakeTimeProvider();
        await using var stuck = new DistributedBoundedSemaphore(redis.Connection, key, 1, leaseTime: TimeSpan.FromMilliseconds(100), timeProvider: stalled);
        await using var fresh = new DistributedBoundedSemaphore(redis.Connection, key, 1);
        var lease = await stuck.AcquireAsync();
        await using var next = await fresh.AcquireAsync(TimeSpan.FromSeconds(10), CancellationToken.None); // reclaims the expired lease

        await Assert.ThrowsAsync<SemaphoreLeaseLostException>(() => lease.ReleaseAsync().AsTask());
        Assert.Equal(1, await Db.SortedSetLengthAsync(stuck.HoldersKey));
    }

    [RedisFact]
    public async Task Scripts_are_reloaded_after_the_script_cache_is_flushed()
    {
        await using var admin = await redis.ConnectAsync(options => options.AllowAdmin = true);
        await using var semaphore = new DistributedBoundedSemaphore(redis.Connection, redis.KeyPrefix() + "s", 1);
        var lease = await semaphore.AcquireAsync();
        await admin.GetServer(redis.Endpoint).ScriptFlushAsync();
        await lease.ReleaseAsync();
        await admin.GetServer(redis.Endpoint).ScriptFlushAsync();
        await using var again = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(1, await Db.SortedSetLengthAsync(semaphore.HoldersKey));
    }

    [RedisFact]
    public async Task With_redis_configured_the_site_uses_a_bounded_distributed_semaphore()
    {
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions().UseRedis(redis.Connection));
        using var scope = ThrottleRuntime.Use(runtime);
        var site = new DistributedSemaphoreSite("M", new Throttle.Policies.DistributedSemaphoreOptions { Key = redis.KeyPrefix() + "site", Value = 1, AcquireTimeoutSeconds = 0.2 });
        await using (var lease = await site.AcquireAsync("p", CancellationToken.None))
        {
            var semaphore = Assert.IsType<DistributedBoundedSemaphore>(lease.Semaphore);
            Assert.EndsWith("site:p", semaphore.Key, StringComparison.Ordinal);
            Assert.Equal(1, await Db.SortedSetLengthAsync(semaphore.HoldersKey));
            await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => site.AcquireAsync("p", CancellationToken.None).AsTask());
        }

        using var sync = site.Acquire("p", CancellationToken.None);
        Assert.False(sync.IsReleased);
    }

    private static RedisKey QueueKey(DistributedSemaphore semaphore) => semaphore.QueueKey;

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!await condition())
        {
            await Task.Delay(10, guard.Token);
        }
    }

    private async Task<(string? Max, long Holders)> SnapshotAsync(DistributedSemaphore semaphore) =>
        ((string?)await Db.HashGetAsync(semaphore.MetaKey, "v"), await Db.SortedSetLengthAsync(semaphore.HoldersKey));
}
