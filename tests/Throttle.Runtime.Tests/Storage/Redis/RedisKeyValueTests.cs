using System;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisKeyValueTests(RedisFixture redis)
{
    [RedisFact]
    public async Task Get_set_delete_and_exists_round_trip_under_the_prefix()
    {
        var prefix = redis.StoragePrefix(nameof(Get_set_delete_and_exists_round_trip_under_the_prefix));
        await using var storage = redis.CreateStorage(prefix);

        Assert.Null(await storage.GetAsync("greeting"));
        Assert.False(await storage.ExistsAsync("greeting"));
        await storage.SetAsync("greeting", "hello");
        Assert.Equal("hello", await storage.GetAsync("greeting"));
        Assert.True(await storage.ExistsAsync("greeting"));
        Assert.Equal("hello", (string?)await redis.Database.StringGetAsync(prefix + ":kv:{greeting}"));
        Assert.Equal(-1, (long)await redis.Database.ExecuteAsync("PTTL", prefix + ":kv:{greeting}"));

        Assert.True(await storage.DeleteAsync("greeting"));
        Assert.False(await storage.DeleteAsync("greeting"));
        Assert.Null(await storage.GetAsync("greeting"));
    }

    [RedisFact]
    public async Task Set_with_a_ttl_expires_and_set_without_one_clears_it()
    {
        var prefix = redis.StoragePrefix(nameof(Set_with_a_ttl_expires_and_set_without_one_clears_it));
        await using var storage = redis.CreateStorage(prefix);

        await storage.SetAsync("k", "v", TimeSpan.FromMinutes(5));
        Assert.InRange((long)await redis.Database.ExecuteAsync("PTTL", prefix + ":kv:{k}"), 1, 300_000);
        await storage.SetAsync("k", "w");
        Assert.Equal(-1, (long)await redis.Database.ExecuteAsync("PTTL", prefix + ":kv:{k}"));

        await storage.SetAsync("short", "v", TimeSpan.FromMilliseconds(30));
        await Task.Delay(100);
        Assert.Null(await storage.GetAsync("short"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("ttl", () => storage.SetAsync("k", "v", TimeSpan.Zero).AsTask());
    }

    [RedisFact]
    public async Task Increment_and_decrement_are_fractional_start_at_zero_and_keep_the_ttl()
    {
        var prefix = redis.StoragePrefix(nameof(Increment_and_decrement_are_fractional_start_at_zero_and_keep_the_ttl));
        await using var storage = redis.CreateStorage(prefix);

        Assert.Equal(1, await storage.IncrementAsync("n"));
        Assert.Equal(3.5, await storage.IncrementAsync("n", 2.5));
        Assert.Equal(3.25, await storage.DecrementAsync("n", 0.25));
        Assert.Equal(-1, await storage.DecrementAsync("fresh"));

        await storage.SetAsync("timed", "10", TimeSpan.FromMinutes(5));
        Assert.Equal(11, await storage.IncrementAsync("timed"));
        Assert.InRange((long)await redis.Database.ExecuteAsync("PTTL", prefix + ":kv:{timed}"), 1, 300_000);

        await storage.SetAsync("text", "not a number");
        await Assert.ThrowsAsync<InvalidOperationException>(() => storage.IncrementAsync("text").AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("delta", () => storage.IncrementAsync("n", double.NaN).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("delta", () => storage.DecrementAsync("n", double.PositiveInfinity).AsTask());
    }

    [RedisFact]
    public async Task Null_or_empty_keys_are_rejected_naming_the_parameter()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(Null_or_empty_keys_are_rejected_naming_the_parameter)));

        await Assert.ThrowsAsync<ArgumentException>("key", () => storage.GetAsync("").AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>("key", () => storage.SetAsync(null!, "v").AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>("value", () => storage.SetAsync("k", null!).AsTask());
        await Assert.ThrowsAsync<ArgumentException>("key", () => storage.ExistsAsync("").AsTask());
        await Assert.ThrowsAsync<ArgumentException>("script", () => storage.EvaluateScriptAsync(""));
    }

    [RedisFact]
    public async Task EvaluateScriptAsync_runs_lua_with_keys_and_arguments_as_given()
    {
        var prefix = redis.StoragePrefix(nameof(EvaluateScriptAsync_runs_lua_with_keys_and_arguments_as_given));
        await using var storage = redis.CreateStorage(prefix);
        var key = prefix + ":raw";

        var result = await storage.EvaluateScriptAsync(
            "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return redis.call('GET', KEYS[1])",
            [key],
            ["{not spliced}", 60_000]);

        Assert.Equal("{not spliced}", (string?)result);
        Assert.Equal("{not spliced}", (string?)await redis.Database.StringGetAsync(key));
        await Assert.ThrowsAsync<RedisServerException>(() => storage.EvaluateScriptAsync("return redis.call('NOSUCHCOMMAND')"));
    }
}
