using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Throttle.Storage;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Hosting.Tests.HealthChecks;

/// <summary>The storage part of the check against a real redis-server: reachable, stopped, and down at start-up.</summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisHealthCheckTests(RedisFixture redis)
{
    [RedisFact(RequiresDedicatedServer = true)]
    public async Task It_is_healthy_while_redis_answers_and_unhealthy_naming_the_endpoint_once_it_is_stopped()
    {
        await using var server = await redis.StartDedicatedAsync();
        using var host = ThrottleHealthCheckTests.Build(settings: Settings(server.Endpoint));
        await host.StartAsync();

        var up = await ThrottleHealthCheckTests.CheckAsync(host);
        Assert.Equal(HealthStatus.Healthy, up.Status);
        Assert.Equal("redis", up.Data["storage"]);
        Assert.Equal(server.Endpoint, up.Data["endpoint"]);

        await server.StopAsync();
        var down = await ThrottleHealthCheckTests.CheckAsync(host);

        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains($"Redis at {server.Endpoint} did not answer within 0.5 s", down.Description, StringComparison.Ordinal);
        Assert.Contains("FailureMode FailOpen", down.Description, StringComparison.Ordinal);
        Assert.IsType<ThrottleStorageException>(down.Exception);
        await host.StopAsync();
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_redis_that_is_down_at_start_up_does_not_stop_the_app_and_its_failure_policy_applies()
    {
        await using var server = await redis.StartDedicatedAsync();
        await server.StopAsync(); // a port where nobody listens now
        using var host = ThrottleHealthCheckTests.Build(settings: Settings(server.Endpoint));

        await host.StartAsync();
        var runtime = host.Services.GetRequiredService<ThrottleRuntime>();

        Assert.Equal(HealthStatus.Unhealthy, (await ThrottleHealthCheckTests.CheckAsync(host)).Status);
        Assert.True(await runtime.GetLimiter("api").TryAcquireAsync("user-1")); // FailOpen: admitted without Redis

        await server.StartAsync();

        // The connection comes back by itself, on StackExchange.Redis's reconnect schedule: ask until it does (bounded).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var status = HealthStatus.Unhealthy;
        while (DateTime.UtcNow < deadline && (status = (await ThrottleHealthCheckTests.CheckAsync(host)).Status) != HealthStatus.Healthy)
        {
        }

        Assert.Equal(HealthStatus.Healthy, status);
        await host.StopAsync();
    }

    [RedisFact]
    public async Task A_connection_the_application_gives_is_used_and_left_open_when_the_host_is_disposed()
    {
        var connection = await redis.ConnectAsync();
        var prefix = redis.KeyPrefix();
        var host = TestHosts.Build(
            new Dictionary<string, string?> { ["Throttle:Redis:KeyPrefix"] = prefix, ["Throttle:Limiters:api:Rate"] = "1", ["Throttle:Limiters:api:Per"] = "3600" },
            t => t.UseRedis(_ => connection));
        await host.StartAsync();
        var runtime = host.Services.GetRequiredService<ThrottleRuntime>();

        Assert.Equal(prefix, runtime.Redis!.Options.KeyPrefix);
        Assert.True(await runtime.GetLimiter("api").TryAcquireAsync("user-1"));
        Assert.False(await runtime.GetLimiter("api").TryAcquireAsync("user-1"));
        await host.StopAsync();
        host.Dispose();

        Assert.True(connection.IsConnected);
        await connection.GetDatabase().PingAsync();
        await connection.DisposeAsync();
    }

    private static Dictionary<string, string?> Settings(string endpoint) => new()
    {
        ["Throttle:Redis:Configuration"] = endpoint,
        ["Throttle:Redis:OperationTimeoutSeconds"] = "0.5",
        ["Throttle:Redis:FailureMode"] = "FailOpen",
        ["Throttle:Redis:KeyPrefix"] = RedisServer.KeyPrefix(nameof(RedisHealthCheckTests) + Guid.NewGuid().ToString("N")),
        ["Throttle:Limiters:api:Rate"] = "100",
    };
}
