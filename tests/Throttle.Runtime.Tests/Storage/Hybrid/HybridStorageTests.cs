using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Throttle.Limiters.Backends;
using Throttle.Storage.Hybrid;
using Throttle.Testing.Redis;
using Throttle.Tests.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Hybrid;

[Collection(RedisFixture.CollectionName)]
public sealed class HybridStorageTests(RedisFixture redis)
{
    [RedisFact]
    public async Task Get_is_served_from_L1_for_60_seconds_then_from_Redis()
    {
        var prefix = redis.StoragePrefix(nameof(Get_is_served_from_L1_for_60_seconds_then_from_Redis));
        var time = new FakeTimeProvider();
        await using var l2 = redis.CreateStorage(prefix, o => o.TimeProvider = time);
        await using var hybrid = new HybridStorage(l2, l1Size: 100);
        await l2.SetAsync("k", "v1");

        Assert.Equal("v1", await hybrid.GetAsync("k"));

        // Another process changes Redis: L1 still answers, by design, until its entry expires.
        await redis.Database.StringSetAsync(prefix + ":kv:{k}", "v2");
        Assert.Equal("v1", await hybrid.GetAsync("k"));
        Assert.True(await hybrid.ExistsAsync("k"));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("v1", await hybrid.GetAsync("k"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("v2", await hybrid.GetAsync("k"));
    }

    [RedisFact]
    public async Task L1_never_outlives_the_Redis_expiry_of_the_value()
    {
        var prefix = redis.StoragePrefix(nameof(L1_never_outlives_the_Redis_expiry_of_the_value));
        var time = new FakeTimeProvider();
        await using var l2 = redis.CreateStorage(prefix, o => o.TimeProvider = time);
        await using var hybrid = new HybridStorage(l2, l1Size: 100);

        // Written elsewhere with a 10 s TTL: cached for at most those 10 s, not 60.
        await l2.SetAsync("k", "v1", TimeSpan.FromSeconds(10));
        Assert.Equal("v1", await hybrid.GetAsync("k"));
        await redis.Database.ExecuteAsync("SET", prefix + ":kv:{k}", "v2", "KEEPTTL");
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("v2", await hybrid.GetAsync("k"));

        // A set with a short TTL keeps it in L1 no longer than that either.
        await hybrid.SetAsync("s", "mine", TimeSpan.FromSeconds(5));
        await redis.Database.ExecuteAsync("SET", prefix + ":kv:{s}", "theirs", "KEEPTTL");
        Assert.Equal("mine", await hybrid.GetAsync("s"));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("theirs", await hybrid.GetAsync("s"));
    }

    [RedisFact]
    public async Task Set_writes_through_and_increment_decrement_delete_invalidate_L1()
    {
        var prefix = redis.StoragePrefix(nameof(Set_writes_through_and_increment_decrement_delete_invalidate_L1));
        await using var l2 = redis.CreateStorage(prefix);
        await using var hybrid = new HybridStorage(l2, l1Size: 100);

        await hybrid.SetAsync("n", "1", TimeSpan.FromMinutes(10));
        Assert.Equal("1", await l2.GetAsync("n"));
        Assert.InRange((long)await redis.Database.ExecuteAsync("PTTL", prefix + ":kv:{n}"), 1, 600_000);
        Assert.Equal("1", await hybrid.GetAsync("n"));

        Assert.Equal(3, await hybrid.IncrementAsync("n", 2));
        Assert.Equal("3", await hybrid.GetAsync("n"));
        Assert.Equal(2.5, await hybrid.DecrementAsync("n", 0.5));
        Assert.Equal("2.5", await hybrid.GetAsync("n"));

        Assert.True(await hybrid.DeleteAsync("n"));
        Assert.Null(await hybrid.GetAsync("n"));
        Assert.False(await hybrid.ExistsAsync("n"));
    }

    [RedisFact]
    public async Task L1_is_bounded_evicting_the_least_recently_used()
    {
        var prefix = redis.StoragePrefix(nameof(L1_is_bounded_evicting_the_least_recently_used));
        await using var l2 = redis.CreateStorage(prefix);
        await using var hybrid = new HybridStorage(l2, l1Size: 2);

        await hybrid.SetAsync("a", "a1");
        await hybrid.SetAsync("b", "b1");
        Assert.Equal("a1", await hybrid.GetAsync("a")); // a is now more recent than b
        await hybrid.SetAsync("c", "c1");               // evicts b

        await redis.Database.StringSetAsync(prefix + ":kv:{a}", "a2");
        await redis.Database.StringSetAsync(prefix + ":kv:{b}", "b2");
        Assert.Equal("a1", await hybrid.GetAsync("a"));
        Assert.Equal("b2", await hybrid.GetAsync("b"));
    }

    [RedisFact]
    public async Task Limiters_decide_in_Redis_so_two_hybrid_storages_share_one_exact_limit()
    {
        var prefix = redis.StoragePrefix(nameof(Limiters_decide_in_Redis_so_two_hybrid_storages_share_one_exact_limit));
        await using var one = new HybridStorage(redis.CreateStorage(prefix), l1Size: 10);
        await using var two = new HybridStorage(redis.CreateStorage(prefix), l1Size: 10);
        var rate = new LimiterRate(Capacity: 3, PerSecond: 0.001);
        var a = one.Backend(LimiterAlgorithm.TokenBucket, "api", rate.Capacity, rate.PerSecond);
        var b = two.Backend(LimiterAlgorithm.TokenBucket, "api", rate.Capacity, rate.PerSecond);

        Assert.True((await a.TryAcquireAsync("k", 2, rate, CancellationToken.None)).IsAcquired);
        Assert.True((await b.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
        Assert.False((await a.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
        Assert.False((await b.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
        Assert.InRange((await b.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 0, 0.01);
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_parameter()
    {
        Assert.Equal("l1Size", Assert.Throws<ArgumentOutOfRangeException>(() => new HybridStorage("localhost:6379", 0, null)).ParamName);
        Assert.Equal("connectionString", Assert.ThrowsAny<ArgumentException>(() => new HybridStorage("localhost:6379,nosuchoption=1")).ParamName);
    }
}
