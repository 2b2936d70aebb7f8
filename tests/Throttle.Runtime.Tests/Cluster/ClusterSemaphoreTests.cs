using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Semaphores;
using Throttle.Testing.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Tests.Cluster;

/// <summary>Distributed semaphores on a Redis Cluster: leases in the semaphore's slot, and a release waking a waiter on another connection.</summary>
public sealed class ClusterSemaphoreTests(RedisClusterFixture cluster, ITestOutputHelper output) : IClassFixture<RedisClusterFixture>
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [RedisClusterFact]
    public async Task Slots_are_leased_up_to_the_value_and_given_back()
    {
        var key = cluster.KeyPrefix(nameof(Slots_are_leased_up_to_the_value_and_given_back)) + "s";
        await using var semaphore = new DistributedBoundedSemaphore(cluster.Connection, key, 2);
        var first = await semaphore.AcquireAsync();
        var second = await semaphore.AcquireAsync();
        Assert.Equal(2, await cluster.Database.SortedSetLengthAsync(semaphore.HoldersKey));
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());

        await first.ReleaseAsync();
        await second.DisposeAsync(); // sends the release without waiting for its answer; disposing the semaphore waits for it
        await semaphore.DisposeAsync();
        Assert.Equal(0, await cluster.Database.SortedSetLengthAsync(semaphore.HoldersKey));

        // Every key of the semaphore lives on the master of its slot.
        var owner = await cluster.Cluster.MasterOfKeyAsync(semaphore.HoldersKey.ToString());
        Assert.Equal(1, (await owner.SendAsync("EXISTS", semaphore.MetaKey.ToString())).ExpectNumber());
    }

    [RedisClusterFact]
    public async Task A_release_wakes_a_waiter_on_another_connection_not_polling()
    {
        // Polling every 30 s: the waiter can only finish within the guard because the release reaches it.
        var key = cluster.KeyPrefix(nameof(A_release_wakes_a_waiter_on_another_connection_not_polling)) + "s";
        var sleep = TimeSpan.FromSeconds(30);
        var lease = TimeSpan.FromSeconds(90);
        await using var other = await cluster.Cluster.ConnectAsync();
        await using var holder = new DistributedBoundedSemaphore(cluster.Connection, key, 1, sleep, leaseTime: lease);
        await using var waiter = new DistributedBoundedSemaphore(other, key, 1, sleep, leaseTime: lease);
        var held = await holder.AcquireAsync();
        var waiting = waiter.AcquireAsync().AsTask();
        var channel = waiter.HoldersKey.ToString()[..^"holders".Length] + "released";
        await WaitUntilAsync(async () => await cluster.Database.SortedSetLengthAsync(waiter.QueueKey) == 1 && await SubscribersAsync(channel) > 0);
        await Task.Delay(200); // let the waiter look again and settle into its 30 s wait

        var owner = await cluster.Cluster.MasterOfKeyAsync(waiter.HoldersKey.ToString());
        var before = await PublishCostAsync(owner);
        var released = Stopwatch.StartNew();
        await held.ReleaseAsync();
        await using var acquired = await waiting.WaitAsync(Guard);
        var wake = released.Elapsed;
        Assert.False(acquired.IsLost);
        Assert.True(wake < sleep, $"woken after {wake}, the polling interval");

        // What it costs today (measured, reported): where the subscription lives, and cluster bus messages per release.
        var subscribedOn = await NodesSubscribedAsync(channel);
        var after = await PublishCostAsync(owner);
        output.WriteLine(
            $"woken {wake.TotalMilliseconds:0} ms after the release; slot master {owner}; subscribed on {string.Join(",", subscribedOn.Select(n => n.ToString()))}; " +
            $"on the slot master meanwhile (other tests publish too): {after.Publishes - before.Publishes} PUBLISH, {after.BusMessages - before.BusMessages} cluster bus publish messages sent; " +
            $"{after.ShardPublishes - before.ShardPublishes} SPUBLISH, {after.ShardBusMessages - before.ShardBusMessages} bus publishshard messages; {cluster.Cluster.Nodes.Count} nodes");
    }

    [RedisClusterFact]
    public async Task Semaphores_of_the_runtime_on_the_cluster_share_slots_across_runtimes()
    {
        var prefix = cluster.StoragePrefix(nameof(Semaphores_of_the_runtime_on_the_cluster_share_slots_across_runtimes));
        await using var other = await cluster.Cluster.ConnectAsync();
        await using var a = new ThrottleRuntime(new ThrottleRuntimeOptions().UseRedis(cluster.Connection, new Throttle.Storage.Redis.RedisStorageOptions { KeyPrefix = prefix }));
        await using var b = new ThrottleRuntime(new ThrottleRuntimeOptions().UseRedis(other, new Throttle.Storage.Redis.RedisStorageOptions { KeyPrefix = prefix }));
        var first = a.GetSemaphore("jobs", 1);
        var second = b.GetSemaphore("jobs", 1);
        var held = await first.AcquireAsync();
        var waiting = second.AcquireAsync(TimeSpan.FromSeconds(15), CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        await held.ReleaseAsync();
        await using var lease = await waiting.WaitAsync(Guard);
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => first.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
    }

    private async Task<long> SubscribersAsync(string channel)
    {
        long total = 0;
        foreach (var node in cluster.Cluster.Nodes)
        {
            total += await NumSubAsync(node, channel);
        }

        return total;
    }

    private async Task<RedisClusterNode[]> NodesSubscribedAsync(string channel)
    {
        var nodes = cluster.Cluster.Nodes.ToArray();
        var counts = await Task.WhenAll(nodes.Select(n => NumSubAsync(n, channel)));
        return [.. nodes.Where((_, i) => counts[i] > 0)];
    }

    /// <summary>Classic (PUBSUB NUMSUB) plus sharded (PUBSUB SHARDNUMSUB) subscribers of the channel on one node.</summary>
    private static async Task<long> NumSubAsync(RedisClusterNode node, string channel)
    {
        long total = 0;
        foreach (var command in new[] { "NUMSUB", "SHARDNUMSUB" })
        {
            var reply = await node.SendAsync("PUBSUB", command, channel);
            if (reply.Items is { Count: 2 } items)
            {
                total += items[1].ExpectNumber();
            }
        }

        return total;
    }

    /// <summary>PUBLISH and SPUBLISH calls on a node (scripts' included) and the cluster bus messages it sent for them.</summary>
    private static async Task<(long Publishes, long BusMessages, long ShardPublishes, long ShardBusMessages)> PublishCostAsync(RedisClusterNode node)
    {
        var info = (await node.SendAsync("CLUSTER", "INFO")).ExpectText();
        var commands = (await node.SendAsync("INFO", "commandstats")).ExpectText();
        return (Field(commands, "cmdstat_publish:calls=", ','), Field(info, "cluster_stats_messages_publish_sent:", '\r'),
            Field(commands, "cmdstat_spublish:calls=", ','), Field(info, "cluster_stats_messages_publishshard_sent:", '\r'));
    }

    private static long Field(string info, string name, char end)
    {
        var line = info.Split("\r\n").FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[name.Length..].Split(end)[0], CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < Guard, "condition not reached");
            await Task.Delay(20);
        }
    }
}
