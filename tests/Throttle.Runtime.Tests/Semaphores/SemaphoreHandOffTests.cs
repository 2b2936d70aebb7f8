using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Semaphores;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Semaphores;

/// <summary>
/// Issue 15.5 and 16.2: a release hands its slot to the first waiter in ticket order and names it on the semaphore's
/// sharded channel, so a release of N wakes N waiters and none of them runs another script; a lost message is made up
/// for by the poll.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class SemaphoreHandOffTests(RedisFixture redis)
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(60);

    // Long enough that no waiter polls or renews during a test: every script call is one the test caused.
    private static readonly TimeSpan s_noPoll = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_longLease = TimeSpan.FromSeconds(180);

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_release_of_n_wakes_exactly_the_first_n_waiters_by_ticket_and_none_runs_a_script()
    {
        const int Value = 3;
        const int Waiters = 20;
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync();
        await using var admin = await server.ConnectAsync(options => options.AllowAdmin = true);
        await using var holder = new DistributedBoundedSemaphore(connection, "herd", Value, s_noPoll, leaseTime: s_longLease);
        await using var waiter = new DistributedBoundedSemaphore(connection, "herd", Value, s_noPoll, leaseTime: s_longLease);
        var held = new List<SemaphoreLease>();
        for (var i = 0; i < Value; i++)
        {
            held.Add(await holder.AcquireAsync());
        }

        // Queued one after another, so their tickets follow their index.
        var waiting = new List<Task<SemaphoreLease>>();
        for (var i = 0; i < Waiters; i++)
        {
            waiting.Add(waiter.AcquireAsync().AsTask());
            var queued = i + 1;
            await WaitUntilAsync(async () => await connection.GetDatabase().SortedSetLengthAsync(waiter.QueueKey) == queued);
        }

        await WaitUntilAsync(() => Task.FromResult(waiter.ParkedWaiters == Waiters));
        var before = await RedisCommandStats.ScriptCallsAsync(admin.GetServer(server.Endpoint));

        await Task.WhenAll(held.Select(lease => lease.ReleaseAsync().AsTask()));
        var taken = await Task.WhenAll(waiting.Take(Value)).WaitAsync(s_guard);
        await WaitUntilAsync(() => Task.FromResult(waiter.ParkedWaiters == Waiters - Value));

        // Only the releases ran scripts: the woken waiters took their slots from the message, the others never woke.
        Assert.Equal(Value, await RedisCommandStats.ScriptCallsAsync(admin.GetServer(server.Endpoint)) - before);
        Assert.All(waiting.Skip(Value), task => Assert.False(task.IsCompleted));
        Assert.Equal(Waiters - Value, await connection.GetDatabase().SortedSetLengthAsync(waiter.QueueKey));
        Assert.Equal(Value, await connection.GetDatabase().SortedSetLengthAsync(waiter.HoldersKey));

        // And in ticket order all the way: each release wakes the next in line, and nobody behind it.
        for (var i = 0; i < Waiters; i++)
        {
            var next = i < Value ? taken[i] : await waiting[i].WaitAsync(s_guard);
            await next.ReleaseAsync();
            Assert.All(waiting.Skip(i + Value + 1), task => Assert.False(task.IsCompleted));
        }
    }

    [RedisFact]
    public async Task Fifty_contenders_for_ten_slots_each_complete_within_ten_percent_of_the_mean()
    {
        const int Contenders = 50;
        const int Pairs = 5_000;
        await using var semaphore = new DistributedBoundedSemaphore(redis.Connection, redis.KeyPrefix() + "s", 10);
        var counts = new int[Contenders];
        var total = 0;
        var contenders = Enumerable.Range(0, Contenders).Select(i => Task.Run(async () =>
        {
            while (Volatile.Read(ref total) < Pairs)
            {
                var lease = await semaphore.AcquireAsync();
                await lease.ReleaseAsync();
                if (Interlocked.Increment(ref total) <= Pairs)
                {
                    counts[i]++;
                }
            }
        })).ToArray();

        await Task.WhenAll(contenders).WaitAsync(TimeSpan.FromMinutes(3));
        var mean = Pairs / (double)Contenders;
        Assert.True(
            counts.Min() >= mean * 0.9 && counts.Max() <= mean * 1.1,
            $"pairs per contender from {counts.Min()} to {counts.Max()} (mean {mean}): " + string.Join(",", counts));
    }

    [RedisFact]
    public async Task A_lost_hand_off_message_is_made_up_for_by_the_poll()
    {
        var key = redis.KeyPrefix() + "s";
        await using var connection = await redis.ConnectAsync();
        await using var holder = new DistributedBoundedSemaphore(redis.Connection, key, 1, s_noPoll);
        await using var waiter = new DistributedBoundedSemaphore(connection, key, 1, TimeSpan.FromMilliseconds(200));
        var held = await holder.AcquireAsync();
        var waiting = waiter.AcquireAsync().AsTask();
        await WaitUntilAsync(() => Task.FromResult(waiter.ParkedWaiters == 1));

        // The waiter's process stops hearing the channel (the semaphore still believes it is subscribed).
        await connection.GetSubscriber().UnsubscribeAllAsync();
        await held.ReleaseAsync();

        await using var taken = await waiting.WaitAsync(s_guard);
        Assert.False(taken.IsLost);
        Assert.Equal(1, await redis.Database.SortedSetLengthAsync(waiter.HoldersKey));
        Assert.Equal(0, await redis.Database.SortedSetLengthAsync(waiter.QueueKey));
    }

    [RedisFact]
    public async Task A_waiter_that_gives_up_after_being_handed_a_slot_passes_it_to_the_next()
    {
        var key = redis.KeyPrefix() + "s";
        await using var deaf = await redis.ConnectAsync();
        await using var holder = new DistributedBoundedSemaphore(redis.Connection, key, 1, s_noPoll);
        await using var first = new DistributedBoundedSemaphore(deaf, key, 1, s_noPoll);
        await using var second = new DistributedBoundedSemaphore(redis.Connection, key, 1, s_noPoll);
        var held = await holder.AcquireAsync();
        using var cancel = new CancellationTokenSource();
        var firstWaiting = first.AcquireAsync(cancel.Token).AsTask();
        await WaitUntilAsync(() => Task.FromResult(first.ParkedWaiters == 1));
        var firstId = ((string)(await redis.Database.SortedSetRangeByRankAsync(first.QueueKey, 0, 0))[0]!).Split('|')[0]; // id|place expiry
        var secondWaiting = second.AcquireAsync().AsTask();
        await WaitUntilAsync(() => Task.FromResult(second.ParkedWaiters == 1));
        await deaf.GetSubscriber().UnsubscribeAllAsync();

        // The slot is handed to the first waiter, which does not hear of it and gives up: the slot goes on to the second.
        await held.ReleaseAsync();
        await WaitUntilAsync(async () => await redis.Database.SortedSetScoreAsync(first.HoldersKey, firstId) is not null);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => firstWaiting.WaitAsync(s_guard));

        await using var taken = await secondWaiting.WaitAsync(s_guard);
        Assert.Equal(1, await redis.Database.SortedSetLengthAsync(first.HoldersKey));
        Assert.Equal(0, await redis.Database.SortedSetLengthAsync(first.QueueKey));
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => holder.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task The_release_channel_is_a_sharded_channel_in_the_semaphore_s_slot()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync();
        await using var semaphore = new DistributedBoundedSemaphore(connection, "sharded", 1, s_noPoll);
        var held = await semaphore.AcquireAsync();
        var waiting = semaphore.AcquireAsync().AsTask();
        await WaitUntilAsync(() => Task.FromResult(semaphore.ParkedWaiters == 1));

        var db = connection.GetDatabase();
        var channel = "throttle:sem:{sharded}:released";
        var sharded = (RedisResult[])(await db.ExecuteAsync("PUBSUB", "SHARDNUMSUB", channel))!;
        var classic = (RedisResult[])(await db.ExecuteAsync("PUBSUB", "NUMSUB", channel))!;
        Assert.Equal(1, (long)sharded[1]);
        Assert.Equal(0, (long)classic[1]);
        Assert.Equal(connection.HashSlot(semaphore.HoldersKey), connection.HashSlot(channel));

        await held.ReleaseAsync();
        await using var taken = await waiting.WaitAsync(s_guard);
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task An_uncontended_pair_is_two_script_calls()
    {
        const int Pairs = 50;
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync();
        await using var admin = await server.ConnectAsync(options => options.AllowAdmin = true);
        await using var semaphore = new DistributedBoundedSemaphore(connection, "alone", 10, s_noPoll, leaseTime: s_longLease);
        await (await semaphore.AcquireAsync()).ReleaseAsync(); // loads the scripts
        var before = await RedisCommandStats.ScriptCallsAsync(admin.GetServer(server.Endpoint));
        for (var i = 0; i < Pairs; i++)
        {
            await (await semaphore.AcquireAsync()).ReleaseAsync();
        }

        Assert.Equal(2 * Pairs, await RedisCommandStats.ScriptCallsAsync(admin.GetServer(server.Endpoint)) - before);
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_disposal_rides_with_the_instances_next_acquire_as_one_script_call()
    {
        const int Pairs = 50;
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync();
        await using var admin = await server.ConnectAsync(options => options.AllowAdmin = true);
        await using var semaphore = new DistributedBoundedSemaphore(connection, "riding", 1, s_noPoll, leaseTime: s_longLease);
        await (await semaphore.AcquireAsync()).ReleaseAsync(); // loads the scripts
        var before = await RedisCommandStats.ScriptCallsAsync(admin.GetServer(server.Endpoint));
        var lease = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        for (var i = 0; i < Pairs; i++)
        {
            await lease.DisposeAsync();
            lease = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None); // value 1: the release came first
        }

        await lease.ReleaseAsync();

        // Pairs + 2 when every disposal rides with the next acquire, 2 * Pairs + 2 when none does. An idle pool thread
        // may take the deferred release's work item and send it alone before the acquire starts (nothing waits for it).
        // How often depends on how many idle workers spin at that moment: alone most ride, under the full suite on
        // 2 cores as few as 3 of 50 did (a clean-clone CI run). So at least one must; none riding fails.
        var calls = await RedisCommandStats.ScriptCallsAsync(admin.GetServer(server.Endpoint)) - before;
        Assert.InRange(calls, Pairs + 2, (2 * Pairs) + 1);
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_hand_off_to_a_waiter_of_the_releasing_instance_comes_back_in_the_answer_and_is_not_published()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync();
        await using var admin = await server.ConnectAsync(options => options.AllowAdmin = true);
        await using var semaphore = new DistributedBoundedSemaphore(connection, "local", 1, s_noPoll, leaseTime: s_longLease);
        await using var other = new DistributedBoundedSemaphore(connection, "local", 1, s_noPoll, leaseTime: s_longLease);
        var held = await semaphore.AcquireAsync();
        var local = semaphore.AcquireAsync().AsTask();
        await WaitUntilAsync(() => Task.FromResult(semaphore.ParkedWaiters == 1));
        var remote = other.AcquireAsync().AsTask();
        await WaitUntilAsync(() => Task.FromResult(other.ParkedWaiters == 1));
        var scripts = await RedisCommandStats.ScriptCallsAsync(admin.GetServer(server.Endpoint));
        var published = (await RedisCommandStats.ReadAsync(admin.GetServer(server.Endpoint))).Of("spublish");

        // The first in line is the releasing instance's own waiter: woken from the release's answer, without a message
        // and without a script of its own (nobody polls within the test).
        await held.ReleaseAsync();
        var taken = await local.WaitAsync(s_guard);
        Assert.Equal(1, await RedisCommandStats.ScriptCallsAsync(admin.GetServer(server.Endpoint)) - scripts);
        Assert.Equal(0, (await RedisCommandStats.ReadAsync(admin.GetServer(server.Endpoint))).Of("spublish") - published);
        Assert.False(remote.IsCompleted);

        // The next one belongs to another instance: its hand-off is published, and it too runs no script of its own.
        await taken.ReleaseAsync();
        await using var last = await remote.WaitAsync(s_guard);
        Assert.Equal(2, await RedisCommandStats.ScriptCallsAsync(admin.GetServer(server.Endpoint)) - scripts);
        Assert.Equal(1, (await RedisCommandStats.ReadAsync(admin.GetServer(server.Endpoint))).Of("spublish") - published);
    }

    [RedisFact]
    public async Task An_expired_holder_is_swept_only_once_it_would_fill_the_semaphore_and_releasing_it_reports_it_lost()
    {
        await using var semaphore = new DistributedBoundedSemaphore(redis.Connection, redis.KeyPrefix() + "s", 2, s_noPoll);
        await (await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None)).ReleaseAsync(); // creates the value
        var time = (RedisResult[])(await redis.Database.ExecuteAsync("TIME"))!;
        var now = ((long)time[0] * 1000) + ((long)time[1] / 1000);
        await redis.Database.SortedSetAddAsync(semaphore.HoldersKey, [new("crashed", now - 1000), new("expired", now - 1000)]);

        // Two expired holders fill the semaphore: the newcomer's acquire sweeps them and takes a slot; the next finds room.
        await using var first = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Null(await redis.Database.SortedSetScoreAsync(semaphore.HoldersKey, "crashed"));
        await using var second = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());

        // An expired holder left in place while there was room (nobody swept it) is not released by its release.
        await second.ReleaseAsync();
        await redis.Database.SortedSetAddAsync(semaphore.HoldersKey, "expired", now - 1000);
        Assert.Equal(2, await redis.Database.SortedSetLengthAsync(semaphore.HoldersKey));
        Assert.Equal(0, await semaphore.ReleaseHolderAsync("expired"));
        Assert.Equal(1, await redis.Database.SortedSetLengthAsync(semaphore.HoldersKey));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var guard = new CancellationTokenSource(s_guard);
        while (!await condition())
        {
            await Task.Delay(10, guard.Token);
        }
    }
}
