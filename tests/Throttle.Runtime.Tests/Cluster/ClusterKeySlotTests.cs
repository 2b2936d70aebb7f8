using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Coordination;
using Throttle.Limiters;
using Throttle.Policies;
using Throttle.Semaphores;
using Throttle.Storage.Redis;
using Throttle.Tests.Storage.Redis;
using Throttle.Testing.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Tests.Cluster;

/// <summary>
/// Every kind of operation Throttle sends keeps its keys in one hash slot (no <c>CROSSSLOT</c>, on the client or on any
/// server), and the state of different user keys spreads over every master.
/// </summary>
public sealed class ClusterKeySlotTests(RedisClusterFixture cluster, ITestOutputHelper output) : IClassFixture<RedisClusterFixture>
{
    private const int UserKeys = 40;

    // LeakyBucketLimiter(2, 2) filled by 2 tokens: a level of 2 leaks at 2/s, room for 1 more token after 0.5 s.
    private const double RoomForOneToken = 0.5;

    [RedisClusterFact]
    public async Task Every_operation_keeps_its_keys_in_one_slot_and_user_keys_spread_over_every_master()
    {
        var prefix = cluster.StoragePrefix(nameof(Every_operation_keeps_its_keys_in_one_slot_and_user_keys_spread_over_every_master));
        var crossSlotBefore = await CrossSlotErrorsAsync();
        await using var storage = cluster.CreateStorage(prefix);
        await using var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions().UseRedis(cluster.Connection, new RedisStorageOptions { KeyPrefix = prefix }));
        var tokenBucket = new TokenBucketLimiter(2, per: 1, storage: storage, scope: "tb");
        var slidingWindow = new SlidingWindowLimiter(2, per: 1, storage: storage, scope: "sw");
        var leakyBucket = new LeakyBucketLimiter(2, 2, storage: storage, scope: "lb");
        var adaptive = new AdaptiveLimiter(2, 2, 2, window: 3600, storage: storage, scope: "ad");

        var gaveUp = 0;
        await Task.WhenAll(Enumerable.Range(0, UserKeys).Select(async i =>
        {
            var key = "user-" + i.ToString(CultureInfo.InvariantCulture);
            foreach (var limiter in new ThrottleLimiter[] { tokenBucket, slidingWindow, adaptive })
            {
                Assert.True(await limiter.TryAcquireAsync(key));
                await limiter.ReleaseAsync(key, 1);
                _ = await limiter.GetStatsAsync(key);
            }

            // The leaky bucket's acquire, cancel (a waiter that gives up), release and stats scripts. The bucket is full
            // for 1 s: a waiter gives up after 10 ms, unless a stall of the loaded machine delayed its call until the
            // bucket had room, which the server's clock must then show (never a grant at once).
            var beforeFill = await cluster.Database.ServerSecondsAsync();
            Assert.True(await leakyBucket.TryAcquireAsync(key, 2));
            using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(10)))
            {
                try
                {
                    await leakyBucket.AcquireAsync(key, cancellationToken: cancel.Token);
                    var granted = await cluster.Database.ServerSecondsAsync() - beforeFill;
                    Assert.True(granted >= RoomForOneToken, $"a waiter behind a full bucket was let in {granted:0.000} s after the bucket filled");
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref gaveUp);
                }
            }

            await leakyBucket.ReleaseAsync(key, 1);
            _ = await leakyBucket.GetStatsAsync(key);

            // Key/value: set, get, the increment script, the get-with-ttl script, exists, delete.
            await storage.SetAsync(key, "v", TimeSpan.FromMinutes(5));
            Assert.Equal("v", await storage.GetAsync(key));
            Assert.Equal(1, await storage.IncrementAsync(key + "-n"));
            Assert.Equal("v", (await storage.GetWithTtlAsync(key, CancellationToken.None)).Value);
            Assert.True(await storage.ExistsAsync(key));
            Assert.True(await storage.DeleteAsync(key + "-n"));

            // A semaphore partition: acquire, renew (a lease of 3 s is renewed every second; a lease of 1.5 s was lost to
            // a stall of over a second in the first, loaded seconds of a clean-clone CI run), a waiter's leave, release.
            var semaphore = runtime.GetSemaphore(key, "p", 1, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(50), "cluster test");
            var lease = await semaphore.AcquireAsync();
            var confirmedAtAcquire = lease.ConfirmedAt;
            await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => semaphore.AcquireAsync(TimeSpan.FromMilliseconds(60), CancellationToken.None).AsTask());
            await WaitUntilAsync(() => lease.ConfirmedAt != confirmedAtAcquire || lease.IsLost);
            Assert.False(lease.IsLost);
            await lease.ReleaseAsync();

            // A leadership: acquire, renew (every half of a 3 s lease; a 1 s lease can lapse locally before its first
            // renewal in the first, loaded seconds of a 2-core run, and then never renews), release.
            await using var coordinator = new Coordinator(runtime, new CoordinatorOptions { LockName = key, TtlSeconds = 3 });
            Assert.True(await coordinator.TryAcquireAsync());
            await WaitUntilAsync(() => coordinator.Renewals > 0);
            Assert.True(await coordinator.ReleaseAsync());
        }));

        // The cancel script ran: at least one waiter gave up (only a stall of a second on all 40 at once would let all in).
        Assert.True(gaveUp > 0, "no waiter behind a full leaky bucket gave up: the cancel script never ran");

        // No server refused a script for keys in different slots (the client refuses those before sending, which
        // would have failed the operation above).
        var crossSlotAfter = await CrossSlotErrorsAsync();
        Assert.Equal(crossSlotBefore, crossSlotAfter);

        // Every key the operations left has a hash tag, and all keys of one tag sit on one master.
        var masters = await cluster.Cluster.MastersAsync();
        var keysPerMaster = new Dictionary<RedisClusterNode, List<string>>();
        foreach (var master in masters)
        {
            keysPerMaster[master] = await KeysAsync(master, prefix + ":");
        }

        var tags = keysPerMaster.SelectMany(p => p.Value.Select(k => (Tag: Tag(k), Master: p.Key))).ToList();
        Assert.All(tags, t => Assert.False(string.IsNullOrEmpty(t.Tag)));
        Assert.All(tags.GroupBy(t => t.Tag), g => Assert.Single(g.Select(t => t.Master).Distinct()));

        // The slot the cluster computes for a tag is served by the master holding its keys.
        foreach (var (tag, master) in tags.DistinctBy(t => t.Tag).Take(20))
        {
            Assert.Equal(master, await cluster.Cluster.MasterOfKeyAsync("{" + tag + "}"));
        }

        var counts = masters.Select(m => keysPerMaster[m].Count).ToArray();
        output.WriteLine($"keys per master: {string.Join(", ", counts)}; distinct tags: {tags.Select(t => t.Tag).Distinct().Count()}");
        Assert.All(counts, c => Assert.True(c > 0, $"keys per master: {string.Join(", ", counts)}"));
    }

    private async Task<long[]> CrossSlotErrorsAsync()
    {
        var result = new long[cluster.Cluster.Nodes.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var line = (await cluster.Cluster.Nodes[i].SendAsync("INFO", "errorstats")).ExpectText()
                .Split("\r\n").FirstOrDefault(l => l.StartsWith("errorstat_CROSSSLOT:count=", StringComparison.Ordinal));
            result[i] = line is null ? 0 : long.Parse(line["errorstat_CROSSSLOT:count=".Length..], CultureInfo.InvariantCulture);
        }

        return result;
    }

    private static async Task<List<string>> KeysAsync(RedisClusterNode node, string prefix)
    {
        var keys = new List<string>();
        var cursor = "0";
        do
        {
            var reply = await node.SendAsync("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000");
            cursor = reply.Items![0].ExpectText();
            keys.AddRange(reply.Items[1].Items!.Select(k => k.ExpectText()));
        }
        while (cursor != "0");

        return keys;
    }

    /// <summary>The hash tag as Redis Cluster reads it: between the first '{' and the first '}' after it.</summary>
    private static string Tag(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        var close = open < 0 ? -1 : key.IndexOf('}', open + 1);
        return close > open + 1 ? key[(open + 1)..close] : string.Empty;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; !condition(); i++)
        {
            Assert.True(i < 1000, "condition not reached within 10 s");
            await Task.Delay(10);
        }
    }
}
