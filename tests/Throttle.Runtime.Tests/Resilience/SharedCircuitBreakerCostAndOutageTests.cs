using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Polly.CircuitBreaker;
using StackExchange.Redis;
using Throttle.Resilience;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Throttle.Tests.Scheduling;
using Throttle.Tests.Telemetry;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>
/// What a shared breaker costs (counted by the server, on a server of the test's own) and what it does when Redis goes away.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class SharedCircuitBreakerCostAndOutageTests(RedisFixture redis)
{
    private const string Name = "payments";

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_closed_healthy_breaker_makes_no_redis_call_per_call_and_a_failure_makes_one()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync(options => options.AllowAdmin = true);
        await using var runtime = SharedBreakers.Runtime(connection, redis.KeyPrefix());
        var pipeline = runtime.ResolvePipeline(SharedBreakers.Site(Name));
        await Calls.SucceedAsync(pipeline); // first use: one subscription and one script
        var admin = connection.GetServer(server.Endpoint);
        await admin.ConfigResetStatisticsAsync();

        for (var i = 0; i < 1000; i++)
        {
            await Calls.SucceedAsync(pipeline);
        }

        Assert.Equal(0, (await DataCommandsAsync(admin)).Sum(c => c.Calls));

        // The counter does count: one failure is one script, and the success after it one more (the reset).
        await Calls.FailAsync(pipeline, 1);
        await Calls.SucceedAsync(pipeline);
        await Calls.SucceedAsync(pipeline);
        // The reset after the success is sent without the call waiting for it: wait (bounded) until it has run.
        var scripts = 0L;
        await Eventually.TrueAsync(async () => (scripts = await RedisCommandStats.ScriptCallsAsync(admin)) >= 2);
        Assert.Equal(2, scripts);
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task With_redis_unreachable_the_breaker_falls_back_to_local_state_says_so_and_follows_redis_again_once_it_answers()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync(options => options.BacklogPolicy = BacklogPolicy.FailFast);
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                restored.TrySetResult();
            }
        };

        using var kit = new TelemetryTestKit(options => options.UseRedis(
            connection, new RedisStorageOptions { KeyPrefix = redis.KeyPrefix(), OperationTimeout = TimeSpan.FromMilliseconds(300) }));
        using var fallbacks = kit.Collect<long>(Throttle.Telemetry.TelemetryNames.CircuitBreakerRedisFallbacks);
        var pipeline = kit.Runtime.ResolvePipeline(SharedBreakers.Site(Name));
        await Calls.SucceedAsync(pipeline);
        var breaker = kit.Runtime.GetCircuitBreaker(Name);
        Assert.False(breaker.Shared!.IsFallenBack);

        await server.StopAsync();

        // The failures still come out as the method's own; the breaker counts them here and opens at its threshold.
        await Calls.FailAsync(pipeline, 3);
        Assert.True(breaker.Shared.IsFallenBack);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.IsType<BrokenCircuitException>(await Calls.RunAsync(pipeline, null));
        var fellBack = Assert.Single(kit.LogsWithId(3006));
        Assert.Contains(server.Endpoint, fellBack.Message, StringComparison.Ordinal);
        Assert.Equal(1, fallbacks.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(Name, fallbacks.LastMeasurement!.Tags[Throttle.Telemetry.TelemetryNames.CircuitBreakerTag]);

        // Redis is back (empty: it kept nothing): the probe finds it and the breaker takes the shared state, closed.
        await server.StartAsync();
        await restored.Task.WaitAsync(SharedBreakers.Guard);
        await SharedBreakers.EventuallyAsync(
            () =>
            {
                kit.Clock.Advance(SharedCircuitBreaker.RedisProbeInterval);
                return kit.LogsWithId(3007).Count == 1;
            },
            "the breaker reports Redis answering again");
        Assert.False(breaker.Shared.IsFallenBack);
        Assert.Equal(CircuitState.Closed, breaker.State);
        await Calls.SucceedAsync(pipeline);
        Assert.Single(kit.LogsWithId(3006));
    }

    // Commands that read or write data (scripts, hashes, publishes): everything but the connection's own housekeeping.
    private static async Task<(string Command, long Calls)[]> DataCommandsAsync(IServer admin)
    {
        var housekeeping = new[] { "info", "config", "ping", "echo", "client", "cluster", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "command", "hello", "select", "auth" };
        return (await RedisCommandStats.ReadAsync(admin))
            .Where(c => !housekeeping.Any(h => c.Key.StartsWith(h, StringComparison.Ordinal)))
            .Select(c => (c.Key, c.Value))
            .ToArray();
    }
}
