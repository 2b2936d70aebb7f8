using System;
using System.Threading.Tasks;
using Throttle.Storage;
using Throttle.Storage.Hybrid;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage;

/// <summary>
/// Issue 18's bad input: <c>IncrementAsync(1e308)</c> twice never returns infinity. A non-finite delta is an
/// <see cref="ArgumentOutOfRangeException"/> naming <c>delta</c>; a result beyond double's range is an
/// <see cref="OverflowException"/> that leaves the value unchanged. Memory, Redis and hybrid agree.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class KeyValueOverflowTests(RedisFixture redis)
{
    public static TheoryData<string> Storages => new() { "memory", "redis", "hybrid" };

    private ThrottleStorage Create(string kind) => kind switch
    {
        "memory" => new MemoryStorage(),
        "redis" => new RedisStorage(redis.Connection, new RedisStorageOptions { KeyPrefix = redis.KeyPrefix().TrimEnd(':') }),
        _ => new HybridStorage(new RedisStorage(redis.Connection, new RedisStorageOptions { KeyPrefix = redis.KeyPrefix().TrimEnd(':') }), 10),
    };

    [RedisTheory]
    [MemberData(nameof(Storages))]
    public async Task Increment_past_double_range_throws_and_leaves_the_value(string kind)
    {
        await using var storage = Create(kind);
        Assert.Equal(1e308, await storage.IncrementAsync("n", 1e308));

        await Assert.ThrowsAsync<OverflowException>(() => storage.IncrementAsync("n", 1e308).AsTask());
        Assert.Equal(1e308, double.Parse((await storage.GetAsync("n"))!, System.Globalization.CultureInfo.InvariantCulture));

        // Below the limit it still adds, in double precision (no long double result that reads back as infinity).
        Assert.Equal(1e308 + 1e307, await storage.IncrementAsync("n", 1e307));
    }

    [RedisTheory]
    [MemberData(nameof(Storages))]
    public async Task Decrement_past_double_range_throws_and_leaves_the_value(string kind)
    {
        await using var storage = Create(kind);
        Assert.Equal(-1e308, await storage.DecrementAsync("n", 1e308));
        await Assert.ThrowsAsync<OverflowException>(() => storage.DecrementAsync("n", 1e308).AsTask());
        Assert.Equal(-1e308, await storage.IncrementAsync("n", 0));
    }

    [RedisTheory]
    [MemberData(nameof(Storages))]
    public async Task A_non_finite_delta_is_refused_naming_delta_and_writes_nothing(string kind)
    {
        await using var storage = Create(kind);
        foreach (var delta in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => storage.IncrementAsync("n", delta).AsTask());
            Assert.Equal("delta", error.ParamName);
            error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => storage.DecrementAsync("n", delta).AsTask());
            Assert.Equal("delta", error.ParamName);
        }

        Assert.False(await storage.ExistsAsync("n"));
    }

    [RedisTheory]
    [MemberData(nameof(Storages))]
    public async Task Increment_keeps_the_ttl_and_refuses_a_value_that_is_not_a_number(string kind)
    {
        await using var storage = Create(kind);
        await storage.SetAsync("t", "1.5", TimeSpan.FromMinutes(5));
        Assert.Equal(4, await storage.IncrementAsync("t", 2.5));
        if (storage is RedisStorage redisStorage)
        {
            var ttl = await redis.Database.KeyTimeToLiveAsync(redisStorage.Layer.Keys.KeyValue("t"));
            Assert.NotNull(ttl);
        }

        await storage.SetAsync("s", "not a number");
        await Assert.ThrowsAsync<InvalidOperationException>(() => storage.IncrementAsync("s").AsTask());
    }
}
