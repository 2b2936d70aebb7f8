using System;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Interop;
using Throttle.Limiters;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Interop;

/// <summary>
/// The STRL adapter on Redis sends one script per decision: the acquire script answers the tokens left, which the
/// lease metadata and <c>GetStatistics</c> report, so no statistics script goes with it. Each test runs on a server of
/// its own, so that <c>INFO commandstats</c> counts only its calls.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisScriptCallsPerDecisionTests(RedisFixture redis)
{
    private const int Capacity = 5;

    public static TheoryData<string> Algorithms => new() { "TokenBucket", "SlidingWindow", "LeakyBucket" };

    [RedisTheory(RequiresDedicatedServer = true)]
    [MemberData(nameof(Algorithms))]
    public async Task Each_AcquireAsync_decision_is_one_script_call_and_its_lease_reports_the_tokens_left(string algorithm)
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        await using var storage = new RedisStorage(connection);
        var limiter = Create(algorithm, storage);
        using var view = limiter.AsRateLimiter("k");
        using var warmUpView = limiter.AsRateLimiter("warm-up");
        using (var warmUp = await warmUpView.AcquireAsync(1))
        {
            Assert.True(warmUp.IsAcquired); // loads the acquire script, so that the counted calls are the decisions
        }

        var admin = connection.GetServer(server.Endpoint);
        await admin.ExecuteAsync("CONFIG", "RESETSTAT");

        // A token bucket and a sliding window grant their capacity then reject; a leaky bucket grants a non-waiting
        // call only while nothing is queued, so it grants the first and rejects the rest.
        var granted = algorithm == "LeakyBucket" ? 1 : Capacity;
        var decisions = Capacity + 2;
        for (var i = 0; i < decisions; i++)
        {
            using var lease = await view.AcquireAsync(1);
            Assert.Equal(i < granted, lease.IsAcquired);
            Assert.True(lease.TryGetMetadata(ThrottleMetadataNames.Remaining, out var remaining), $"decision {i}");
            Assert.Equal(Math.Max(0, Capacity - Math.Min(i + 1, granted)), remaining);
        }

        var statistics = view.GetStatistics()!;
        Assert.Equal(Capacity - granted, statistics.CurrentAvailablePermits);
        Assert.Equal(granted, statistics.TotalSuccessfulLeases);
        Assert.Equal(decisions - granted, statistics.TotalFailedLeases);
        Assert.Equal(decisions, await RedisCommandStats.ScriptCallsAsync(admin));
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_partitioned_view_decides_each_partition_with_one_script_call()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        await using var storage = new RedisStorage(connection);
        using var view = Create("TokenBucket", storage).AsPartitionedRateLimiter();
        using (await view.AcquireAsync("warm-up"))
        {
        }

        var admin = connection.GetServer(server.Endpoint);
        await admin.ExecuteAsync("CONFIG", "RESETSTAT");

        using (var a = await view.AcquireAsync("a", 2))
        using (var b = await view.AcquireAsync("b", 3))
        {
            Assert.True(a.IsAcquired && b.IsAcquired);
            Assert.True(b.TryGetMetadata(ThrottleMetadataNames.Remaining, out var remaining));
            Assert.Equal(Capacity - 3, remaining);
        }

        Assert.Equal(Capacity - 2, view.GetStatistics("a")!.CurrentAvailablePermits);
        Assert.Equal(2, await RedisCommandStats.ScriptCallsAsync(admin));
    }

    // Slow rates: a real clock refills nothing that matters while the test runs.
    private static ThrottleLimiter Create(string algorithm, RedisStorage storage) => algorithm switch
    {
        "TokenBucket" => new TokenBucketLimiter(Capacity, per: 3600, storage: storage),
        "SlidingWindow" => new SlidingWindowLimiter(Capacity, per: 3600, storage: storage),
        "LeakyBucket" => new LeakyBucketLimiter(rate: Capacity / 3600.0, capacity: Capacity, storage: storage),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };
}
