using System;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Limiters.Backends;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisScriptCacheTests(RedisFixture redis)
{
    [RedisFact]
    public async Task Every_script_as_sent_compiles_on_the_server()
    {
        // SCRIPT LOAD compiles without running: a script no other test calls still fails here if compacting broke it.
        var server = redis.Database.Multiplexer.GetServers().Single();
        foreach (var script in RedisScripts.All)
        {
            Assert.Equal(20, (await server.ScriptLoadAsync(script.Text)).Length);
        }
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task After_SCRIPT_FLUSH_the_scripts_are_reloaded_transparently()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        await using var storage = new RedisStorage(connection);
        var rate = new LimiterRate(Capacity: 3, PerSecond: 0.001);
        var backends = new[] { LimiterAlgorithm.TokenBucket, LimiterAlgorithm.SlidingWindow }
            .Select(a => storage.Backend(a, "api", rate.Capacity, rate.PerSecond)).ToArray();
        foreach (var backend in backends)
        {
            Assert.True((await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
        }

        var redisServer = connection.GetServer(server.Endpoint);
        await redisServer.ScriptFlushAsync();
        Assert.False(await redisServer.ScriptExistsAsync(RedisScripts.TokenBucketAcquire.Text));

        // State survived (only scripts were flushed), and each call reloads its script by itself.
        foreach (var backend in backends)
        {
            Assert.True((await backend.TryAcquireAsync("k", 2, rate, CancellationToken.None)).IsAcquired);
            Assert.False((await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);
            Assert.InRange((await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 0, 0.01);
            await backend.ReleaseAsync("k", 1, rate, CancellationToken.None);
        }

        Assert.True(await redisServer.ScriptExistsAsync(RedisScripts.TokenBucketAcquire.Text));
    }

    [RedisFact]
    public void Every_scripts_SHA_is_the_one_Redis_gives_its_text()
    {
        var scripts = typeof(RedisScripts).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(RedisScript))
            .Select(f => (RedisScript)f.GetValue(null)!)
            .ToArray();
        Assert.True(scripts.Length > 20, $"only {scripts.Length} scripts found");
        var server = redis.Database.Multiplexer.GetServers().Single();
        Assert.All(scripts, script => Assert.Equal(server.ScriptLoad(script.Text), script.Hash));
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_call_by_SHA_that_finds_no_script_sends_the_text_and_runs_once()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        await using var storage = new RedisStorage(connection);
        var rate = new LimiterRate(Capacity: 10, PerSecond: 0.001);
        var backend = storage.Backend(LimiterAlgorithm.TokenBucket, "api", rate.Capacity, rate.PerSecond);
        Assert.True((await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired); // by text: loads it
        var redisServer = connection.GetServer(server.Endpoint);
        await redisServer.ScriptFlushAsync();

        Assert.True((await backend.TryAcquireAsync("k", 3, rate, CancellationToken.None)).IsAcquired);

        // The SHA met NOSCRIPT (nothing ran), the text then took the 3 tokens once, not twice.
        Assert.True(await redisServer.ScriptExistsAsync(RedisScripts.TokenBucketAcquire.Hash));
        Assert.InRange((await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens, 6, 6.01);
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task An_acquire_is_one_round_trip_one_EVALSHA()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        await using var storage = new RedisStorage(connection);
        var rate = new LimiterRate(Capacity: 1000, PerSecond: 1000);
        var backend = storage.Backend(LimiterAlgorithm.TokenBucket, "api", rate.Capacity, rate.PerSecond);
        await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None); // loads the script
        var redisServer = connection.GetServer(server.Endpoint);
        await redisServer.ConfigResetStatisticsAsync();

        const int acquires = 50;
        for (var i = 0; i < acquires; i++)
        {
            await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None);
        }

        var calls = await RedisCommandStats.ReadAsync(redisServer);
        Assert.Equal(acquires, calls.Of("evalsha"));
        Assert.Equal(0, calls.Of("eval"));
        Assert.Equal(0, calls.Of("script"));
    }
}
