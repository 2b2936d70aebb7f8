using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Semaphores;
using Throttle.Storage;
using Throttle.Testing.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Tests.Cluster;

/// <summary>
/// A semaphore waiter across a failover. After <c>CLUSTER FAILOVER</c> of the semaphore's master the release still wakes
/// it by message (its fallback polling is 30 s). After <c>kill -9</c> of the node holding its subscription (with sharded
/// pub/sub, the slot's master) the release message is lost, since the subscription died with the node: the waiter is
/// then served by its fallback polling, which this test shortens and bounds.
/// </summary>
[Collection(ClusterFailoverCollection.Name)]
public sealed class ClusterSemaphoreFailoverTests(RedisClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Sleep = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ShortSleep = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(90);

    [RedisClusterFact]
    public async Task After_a_manual_failover_of_the_semaphores_master_a_release_still_wakes_the_waiter() =>
        await RunAsync(nameof(After_a_manual_failover_of_the_semaphores_master_a_release_still_wakes_the_waiter), Sleep, async (slotMaster, _) =>
        {
            await cluster.Cluster.FailoverAsync(await cluster.Cluster.ReplicaOfAsync(slotMaster));
            return $"CLUSTER FAILOVER of the slot master {slotMaster}";
        });

    [RedisClusterFact]
    public async Task After_kill_9_of_the_node_holding_the_waiters_subscription_the_waiter_ends_in_time() =>
        await RunAsync(nameof(After_kill_9_of_the_node_holding_the_waiters_subscription_the_waiter_ends_in_time), ShortSleep, async (_, subscribedOn) =>
        {
            var masters = await cluster.Cluster.MastersAsync();
            var replica = masters.Contains(subscribedOn) ? await cluster.Cluster.ReplicaOfAsync(subscribedOn) : null;
            await cluster.Cluster.KillAsync(subscribedOn);
            if (replica is not null)
            {
                await cluster.Cluster.WaitUntilMasterAsync(replica);
            }

            return $"kill -9 of {subscribedOn} ({(replica is null ? "a replica" : "a master")}), holding the subscription";
        });

    private async Task RunAsync(string testName, TimeSpan sleep, Func<RedisClusterNode, RedisClusterNode, Task<string>> disrupt)
    {
        var key = cluster.KeyPrefix(testName) + "s";
        try
        {
            await using var holderConnection = await cluster.Cluster.ConnectAsync();
            await using var waiterConnection = await cluster.Cluster.ConnectAsync();
            await using var holder = new DistributedBoundedSemaphore(holderConnection, key, 1, sleep, leaseTime: Lease);
            await using var waiter = new DistributedBoundedSemaphore(waiterConnection, key, 1, sleep, leaseTime: Lease);
            var held = await holder.AcquireAsync();
            var waiting = waiter.AcquireAsync().AsTask();
            var channel = waiter.HoldersKey.ToString()[..^"holders".Length] + "released";
            RedisClusterNode? subscribedOn = null;
            var deadline = Stopwatch.StartNew();
            while (subscribedOn is null || await cluster.Database.SortedSetLengthAsync(waiter.QueueKey) != 1)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "the waiter never queued and subscribed");
                await Task.Delay(20);
                foreach (var node in cluster.Cluster.Nodes)
                {
                    var reply = await node.SendAsync("PUBSUB", "NUMSUB", channel);
                    var shard = await node.SendAsync("PUBSUB", "SHARDNUMSUB", channel);
                    if (reply.Items![1].ExpectNumber() + (shard.Items?[1].ExpectNumber() ?? 0) > 0)
                    {
                        subscribedOn = node;
                    }
                }
            }

            await Task.Delay(200); // let the waiter look again and settle into its wait
            var slotMaster = await cluster.Cluster.MasterOfKeyAsync(waiter.HoldersKey.ToString());
            var what = await disrupt(slotMaster, subscribedOn);

            // The release reaches the slot's (new) master, retried while the cluster settles.
            var releasing = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    await held.ReleaseAsync();
                    break;
                }
                catch (ThrottleStorageException) when (releasing.Elapsed < TimeSpan.FromSeconds(20))
                {
                    await Task.Delay(100);
                }
            }

            var released = Stopwatch.StartNew();
            if (sleep == Sleep)
            {
                await using var acquired = await waiting.WaitAsync(TimeSpan.FromSeconds(25));
                output.WriteLine($"{what}; slot master was {slotMaster}; released {releasing.Elapsed.TotalSeconds:0.00} s after it; waiter woken {released.Elapsed.TotalMilliseconds:0} ms after the release");
                Assert.True(released.Elapsed < Sleep, $"woken only by polling, {released.Elapsed} after the release");
                return;
            }

            // The subscription died with the node, so only the waiter's polling can serve it: a poll that falls in the
            // outage gets the failure policy's answer (Throw here), one after it the slot. Either way it ends, in time.
            var failure = await Record.ExceptionAsync(async () =>
            {
                await using var acquired = await waiting.WaitAsync(TimeSpan.FromSeconds(25));
            });
            output.WriteLine($"{what}; slot master was {slotMaster}; released {releasing.Elapsed.TotalSeconds:0.00} s after it; waiter ended {released.Elapsed.TotalMilliseconds:0} ms after the release: {failure?.GetType().Name ?? "acquired"}");
            Assert.True(failure is null or ThrottleStorageException, $"the waiter ended with {failure}");
        }
        finally
        {
            foreach (var node in cluster.Cluster.Nodes.Where(n => !n.IsRunning).ToList())
            {
                await cluster.Cluster.RestartAsync(node);
            }

            await cluster.Cluster.WaitUntilHealthyAsync();
        }
    }
}
