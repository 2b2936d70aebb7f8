using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Cluster;

/// <summary>The storage's key/value operations on a Redis Cluster, for keys whose slots lie on different masters.</summary>
public sealed class ClusterKeyValueTests(RedisClusterFixture cluster) : IClassFixture<RedisClusterFixture>
{
    [RedisClusterFact]
    public async Task Get_set_increment_delete_and_exists_round_trip_on_every_master()
    {
        var prefix = cluster.StoragePrefix(nameof(Get_set_increment_delete_and_exists_round_trip_on_every_master));
        await using var storage = cluster.CreateStorage(prefix);
        var keys = Enumerable.Range(0, 30).Select(i => "key-" + i).ToArray();
        foreach (var key in keys)
        {
            Assert.Null(await storage.GetAsync(key));
            await storage.SetAsync(key, "v-" + key, TimeSpan.FromMinutes(5));
            Assert.Equal(2.5, await storage.IncrementAsync(key + ":n", 2.5));
            Assert.Equal(2, await storage.DecrementAsync(key + ":n", 0.5));
            Assert.True(await storage.ExistsAsync(key));
            var (value, ttl) = await storage.GetWithTtlAsync(key, CancellationToken.None);
            Assert.Equal("v-" + key, value);
            Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        }

        // The keys really are spread: each master holds some (30 keys all on two of three masters: p < 1e-5).
        var masters = await cluster.Cluster.MastersAsync();
        var counts = await Task.WhenAll(masters.Select(m => m.CountKeysAsync(prefix + ":kv:")));
        Assert.All(counts, c => Assert.True(c > 0, $"keys per master: {string.Join(", ", counts)}"));
        Assert.Equal(2 * keys.Length, counts.Sum());

        foreach (var key in keys)
        {
            Assert.Equal("v-" + key, await storage.GetAsync(key));
            Assert.True(await storage.DeleteAsync(key));
            Assert.False(await storage.ExistsAsync(key));
        }
    }
}
