using System;
using System.Linq;
using System.Threading.Tasks;
using Throttle.Tests.Storage.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

/// <summary>Key/value keys from hostile user strings, on a real server: each its own key, under the prefix, or refused.</summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisKeyEscapingTests(RedisFixture redis)
{
    [RedisFact]
    public async Task Braces_percent_newlines_and_nul_each_get_their_own_key_and_round_trip()
    {
        var prefix = redis.StoragePrefix(nameof(Braces_percent_newlines_and_nul_each_get_their_own_key_and_round_trip));
        await using var storage = redis.CreateStorage(prefix);
        string[] keys = ["a", "{a}", "%7Ba%7D", "a}", "a:b", "a%3Ab", "a\nb", "a\r\nb", "a\0", "a\0b", "\uD800"];

        for (var i = 0; i < keys.Length; i++)
        {
            await storage.SetAsync(keys[i], i.ToString(System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromMinutes(1));
        }

        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), await storage.GetAsync(keys[i]));
        }

        var stored = await redis.Connection.KeysWithTtlAsync(prefix);
        Assert.Equal(keys.Length, stored.Length);
        Assert.All(stored, k => Assert.StartsWith(prefix + ":kv:{", k.Key, StringComparison.Ordinal));
        Assert.All(stored, k => Assert.Equal(1, k.Key.Count(c => c == '{')));
    }

    [RedisFact]
    public async Task A_megabyte_key_is_refused_before_anything_is_sent()
    {
        var prefix = redis.StoragePrefix(nameof(A_megabyte_key_is_refused_before_anything_is_sent));
        await using var storage = redis.CreateStorage(prefix);
        var huge = new string('k', 1 << 20);

        Assert.Equal("key", (await Assert.ThrowsAsync<ArgumentException>(() => storage.SetAsync(huge, "v").AsTask())).ParamName);
        Assert.Equal("key", (await Assert.ThrowsAsync<ArgumentException>(() => storage.IncrementAsync(huge).AsTask())).ParamName);
        var backend = storage.Backend(Throttle.Limiters.Backends.LimiterAlgorithm.TokenBucket, "s", 1, 1);
        Assert.Equal("key", (await Assert.ThrowsAsync<ArgumentException>(
            () => backend.TryAcquireAsync(huge, 1, new(1, 1), default).AsTask())).ParamName);
        Assert.Empty(await redis.Connection.KeysWithTtlAsync(prefix));
    }
}
