using System;
using System.Net.Sockets;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Testing.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Tests.Storage.Redis;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisFixtureSmokeTests(RedisFixture redis, ITestOutputHelper output)
{
    private static readonly TimeSpan s_reconnectTimeout = TimeSpan.FromSeconds(15);

    [RedisFact]
    public async Task Shared_server_answers_ping_keeps_prefixed_keys_with_expiry_and_runs_lua()
    {
        output.WriteLine($"Using {redis.Server.Description}");
        var db = redis.Database;

        await db.PingAsync();

        var prefix = redis.KeyPrefix();
        Assert.StartsWith("throttle-test:Shared_server_answers_ping_", prefix); // the caller's name, cut to 64 characters
        Assert.NotEqual(prefix, redis.KeyPrefix());

        var key = prefix + "greeting";
        Assert.True(await db.StringSetAsync(key, "hello", TimeSpan.FromSeconds(30)));
        Assert.Equal("hello", (string?)await db.StringGetAsync(key));
        var ttl = await db.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

        // TIME inside a script: the server clock that rate-limit scripts will rely on.
        const string script = """
            local now = redis.call('TIME')
            redis.call('SET', KEYS[1], now[1], 'PX', ARGV[1])
            return { tonumber(now[1]), tonumber(now[2]) }
            """;
        var timeKey = prefix + "time";
        var result = await db.ScriptEvaluateAsync(script, [timeKey], [30_000]);
        var parts = (RedisResult[])result!;
        var serverSeconds = (long)parts[0];
        var microseconds = (long)parts[1];
        Assert.InRange(serverSeconds, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
        Assert.InRange(microseconds, 0, 999_999);
        Assert.Equal(serverSeconds, (long)await db.StringGetAsync(timeKey));
        Assert.InRange((await db.KeyTimeToLiveAsync(timeKey))!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }

    [RedisTheory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Shared_server_counts_under_a_per_test_prefix(int increments)
    {
        var key = redis.KeyPrefix() + "counter";
        for (var i = 0; i < increments; i++)
        {
            await redis.Database.StringIncrementAsync(key);
        }

        Assert.Equal(increments, (int)await redis.Database.StringGetAsync(key));
        await redis.Database.KeyDeleteAsync(key);
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task Dedicated_server_can_be_stopped_and_started_again_on_the_same_port()
    {
        await using var server = await redis.StartDedicatedAsync();
        output.WriteLine($"Using {server.Description}");
        var endpoint = server.Endpoint;
        var port = server.Port;
        Assert.NotEqual(redis.Endpoint, endpoint);

        await using var connection = await server.ConnectAsync(options => options.BacklogPolicy = BacklogPolicy.FailFast);
        var db = connection.GetDatabase();
        var key = redis.KeyPrefix() + "survives-nothing";
        Assert.True(await db.StringSetAsync(key, "before restart"));

        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                restored.TrySetResult();
            }
        };

        await server.StopAsync();
        Assert.False(server.IsRunning);
        var failure = await Record.ExceptionAsync(() => db.PingAsync());
        Assert.True(failure is RedisConnectionException or RedisTimeoutException, $"Expected a connection failure, got: {failure}");
        Assert.False(await PortAcceptsAsync(port));

        await server.StartAsync();
        Assert.True(server.IsRunning);
        Assert.Equal(endpoint, server.Endpoint);
        Assert.Equal(port, server.Port);

        // The existing connection comes back by itself; the restarted server is empty (no persistence).
        await restored.Task.WaitAsync(s_reconnectTimeout);
        await db.PingAsync();
        Assert.False(await db.KeyExistsAsync(key));

        await using var fresh = await server.ConnectAsync();
        await fresh.GetDatabase().PingAsync();
    }

    private static async Task<bool> PortAcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
