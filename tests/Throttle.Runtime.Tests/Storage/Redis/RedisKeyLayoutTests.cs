using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters.Backends;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisKeyLayoutTests(RedisFixture redis)
{
    [RedisTheory]
    [InlineData(nameof(LimiterAlgorithm.TokenBucket))]
    [InlineData(nameof(LimiterAlgorithm.SlidingWindow))]
    [InlineData(nameof(LimiterAlgorithm.LeakyBucket))]
    public async Task Every_key_has_a_ttl_and_the_keys_of_one_operation_share_one_hash_tag(string algorithmName)
    {
        var algorithm = Enum.Parse<LimiterAlgorithm>(algorithmName);
        var prefix = redis.StoragePrefix(nameof(Every_key_has_a_ttl_and_the_keys_of_one_operation_share_one_hash_tag));
        await using var storage = redis.CreateStorage(prefix);
        var rate = new LimiterRate(Capacity: 5, PerSecond: 1);
        var backend = storage.Backend(algorithm, "orders", rate.Capacity, rate.PerSecond);

        await backend.TryAcquireAsync("alice", 2, rate, CancellationToken.None);
        await backend.ReleaseAsync("alice", 1, rate, CancellationToken.None);

        var keys = await redis.Connection.KeysWithTtlAsync(prefix);
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.InRange(k.Pttl, 1, 60_000));
        Assert.All(keys, k => Assert.StartsWith(prefix + ":{orders:alice}:", k.Key, StringComparison.Ordinal));
        Assert.Equal(algorithm == LimiterAlgorithm.SlidingWindow ? 2 : 1, keys.Length);
    }

    [RedisFact]
    public async Task Braces_in_scopes_and_keys_cannot_move_the_hash_tag_and_cannot_collide()
    {
        var prefix = redis.StoragePrefix(nameof(Braces_in_scopes_and_keys_cannot_move_the_hash_tag_and_cannot_collide));
        await using var storage = redis.CreateStorage(prefix);
        var rate = new LimiterRate(Capacity: 1, PerSecond: 0.001);

        // Pairs that would share a tag (or a key) if braces, '%' and the scope's ':' were spliced in raw.
        var pairs = new (string Scope, string Key)[] { ("a:b", "c"), ("a", "b:c"), ("x}", "{y"), ("x", "}{y"), ("p%7D", "q"), ("p}", "q") };
        foreach (var (scope, key) in pairs)
        {
            var backend = storage.Backend(LimiterAlgorithm.TokenBucket, scope, rate.Capacity, rate.PerSecond);
            Assert.True((await backend.TryAcquireAsync(key, 1, rate, CancellationToken.None)).IsAcquired);
        }

        var keys = (await redis.Connection.KeysWithTtlAsync(prefix)).Select(k => k.Key).ToArray();
        Assert.Equal(pairs.Length, keys.Distinct().Count());
        foreach (var key in keys)
        {
            // Exactly one '{' and one '}' per key: the tag Redis Cluster hashes on is the whole of scope:key.
            Assert.Equal(1, key.Count(c => c == '{'));
            Assert.Equal(1, key.Count(c => c == '}'));
            Assert.EndsWith("}:tb3", key, StringComparison.Ordinal);
        }
    }

    [RedisFact]
    public async Task Keys_scopes_and_algorithms_do_not_share_state()
    {
        var prefix = redis.StoragePrefix(nameof(Keys_scopes_and_algorithms_do_not_share_state));
        await using var storage = redis.CreateStorage(prefix);
        var rate = new LimiterRate(Capacity: 1, PerSecond: 0.001);
        var api = storage.Backend(LimiterAlgorithm.TokenBucket, "api", rate.Capacity, rate.PerSecond);
        var web = storage.Backend(LimiterAlgorithm.TokenBucket, "web", rate.Capacity, rate.PerSecond);
        var apiLeaky = storage.Backend(LimiterAlgorithm.LeakyBucket, "api", rate.Capacity, rate.PerSecond);

        Assert.True((await api.TryAcquireAsync("alice", 1, rate, CancellationToken.None)).IsAcquired);
        Assert.False((await api.TryAcquireAsync("alice", 1, rate, CancellationToken.None)).IsAcquired);

        Assert.True((await api.TryAcquireAsync("bob", 1, rate, CancellationToken.None)).IsAcquired);
        Assert.True((await web.TryAcquireAsync("alice", 1, rate, CancellationToken.None)).IsAcquired);
        Assert.True((await apiLeaky.TryAcquireAsync("alice", 1, rate, CancellationToken.None)).IsAcquired);

        // Another storage on another prefix is another namespace altogether.
        await using var other = redis.CreateStorage(redis.StoragePrefix("other"));
        var otherApi = other.Backend(LimiterAlgorithm.TokenBucket, "api", rate.Capacity, rate.PerSecond);
        Assert.True((await otherApi.TryAcquireAsync("alice", 1, rate, CancellationToken.None)).IsAcquired);
    }

    [RedisFact]
    public async Task An_idle_key_expires_once_it_would_be_back_to_its_initial_state()
    {
        var prefix = redis.StoragePrefix(nameof(An_idle_key_expires_once_it_would_be_back_to_its_initial_state));
        await using var storage = redis.CreateStorage(prefix);
        // Refills fully in 50 ms; the script adds one second of slack to the TTL.
        var rate = new LimiterRate(Capacity: 1, PerSecond: 20);
        var backend = storage.Backend(LimiterAlgorithm.TokenBucket, "api", rate.Capacity, rate.PerSecond);

        await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None);
        var keys = await redis.Connection.KeysWithTtlAsync(prefix);
        Assert.InRange(Assert.Single(keys).Pttl, 1, 1050);

        var gone = false;
        for (var attempt = 0; attempt < 100 && !gone; attempt++)
        {
            await Task.Delay(50);
            gone = (await redis.Connection.KeysWithTtlAsync(prefix)).Length == 0;
        }

        Assert.True(gone, "The idle key should have expired.");
    }
}
