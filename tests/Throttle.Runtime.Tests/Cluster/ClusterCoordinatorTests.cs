using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Throttle.Coordination;
using Throttle.Policies;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Cluster;

/// <summary>Leader election on a Redis Cluster: one leader among runtimes on different connections, handed over on release with a larger fencing token.</summary>
public sealed class ClusterCoordinatorTests(RedisClusterFixture cluster) : IClassFixture<RedisClusterFixture>
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [RedisClusterFact]
    public async Task One_of_two_coordinators_leads_and_a_release_hands_over_at_once_with_a_larger_token()
    {
        var prefix = cluster.StoragePrefix(nameof(One_of_two_coordinators_leads_and_a_release_hands_over_at_once_with_a_larger_token));
        await using var other = await cluster.Cluster.ConnectAsync();
        await using var runtimeA = new ThrottleRuntime(new ThrottleRuntimeOptions().UseRedis(cluster.Connection, new RedisStorageOptions { KeyPrefix = prefix }));
        await using var runtimeB = new ThrottleRuntime(new ThrottleRuntimeOptions().UseRedis(other, new RedisStorageOptions { KeyPrefix = prefix }));

        // Retrying every 30 s: the follower can only take over within the guard because the release wakes it.
        var options = new CoordinatorOptions { LockName = "lock", TtlSeconds = 60, RetryIntervalSeconds = 30 };
        await using var a = new Coordinator(runtimeA, options);
        await using var b = new Coordinator(runtimeB, options);
        Assert.True(await a.TryAcquireAsync());
        Assert.False(await b.TryAcquireAsync());
        var firstToken = a.FencingToken;
        var takenOver = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Acquired += (_, e) => takenOver.TrySetResult(e.FencingToken);
        await b.StartAsync();
        await Task.Delay(200); // b campaigns, fails, and waits for the release or its 30 s retry

        var released = Stopwatch.StartNew();
        Assert.True(await a.ReleaseAsync());
        var secondToken = await takenOver.Task.WaitAsync(Guard);
        Assert.True(released.Elapsed < TimeSpan.FromSeconds(options.RetryIntervalSeconds), $"taken over after {released.Elapsed}");
        Assert.True(b.IsLeader);
        Assert.False(a.IsLeader);
        Assert.True(secondToken > firstToken, $"token {secondToken} after {firstToken}");
        await b.StopAsync();
    }
}
