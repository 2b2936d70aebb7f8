using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters.Backends;
using Throttle.Storage;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisRestartTests(RedisFixture redis)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(1);

    // Generous: proves the call came back on its own (bounded by the timeout), without timing it precisely.
    private static readonly TimeSpan s_noHang = TimeSpan.FromSeconds(15);

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task While_Redis_is_down_operations_fail_within_the_timeout_naming_the_endpoint_and_work_again_after_it_restarts()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var storage = new RedisStorage(server.Endpoint, new RedisStorageOptions { OperationTimeout = s_timeout });
        var rate = new LimiterRate(Capacity: 100, PerSecond: 1);
        var backend = storage.Backend(LimiterAlgorithm.TokenBucket, "api", rate.Capacity, rate.PerSecond);
        Assert.True((await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired);

        await server.StopAsync();

        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<ThrottleStorageException>(
            () => backend.TryAcquireAsync("k", 1, rate, CancellationToken.None).AsTask().WaitAsync(s_noHang));
        Assert.True(clock.Elapsed < s_noHang);
        Assert.Equal(server.Endpoint, failure.Endpoint);
        Assert.Contains(server.Endpoint, failure.Message, StringComparison.Ordinal);
        Assert.NotNull(failure.InnerException);
        await Assert.ThrowsAsync<ThrottleStorageException>(() => storage.GetAsync("x").AsTask().WaitAsync(s_noHang));

        await server.StartAsync();

        // The restarted server is empty (no scripts either): the first call after reconnecting reloads the script.
        Assert.True(await EventuallyAsync(async () => (await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired));
        await storage.SetAsync("x", "back");
        Assert.Equal("back", await storage.GetAsync("x"));
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_storage_created_while_Redis_is_down_starts_at_once_and_works_when_Redis_comes_up()
    {
        await using var server = await redis.StartDedicatedAsync();
        await server.StopAsync();

        var clock = Stopwatch.StartNew();
        await using var storage = new RedisStorage(server.Endpoint, new RedisStorageOptions { OperationTimeout = s_timeout });
        Assert.True(clock.Elapsed < s_noHang);
        var rate = new LimiterRate(Capacity: 2, PerSecond: 1);
        var backend = storage.Backend(LimiterAlgorithm.SlidingWindow, "api", rate.Capacity, rate.PerSecond);
        await Assert.ThrowsAsync<ThrottleStorageException>(() => backend.TryAcquireAsync("k", 1, rate, CancellationToken.None).AsTask().WaitAsync(s_noHang));

        await server.StartAsync();
        Assert.True(await EventuallyAsync(async () => (await backend.TryAcquireAsync("k", 1, rate, CancellationToken.None)).IsAcquired));
    }

    /// <summary>Retries while the connection comes back; the 30 s bound only guards against a hang.</summary>
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> attempt)
    {
        var guard = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (ThrottleStorageException) when (guard.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }
    }
}
