using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Throttle.Limiters;
using Throttle.Policies;
using Throttle.Storage;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Throttle.Tests.Faults;
using Throttle.Tests.Infrastructure;
using Xunit;

namespace Throttle.Tests.Telemetry;

/// <summary>
/// The logs of a Redis that goes away and comes back (FakeLogger): the failure policy engaging (5001) and Redis
/// recovered (5002), each once; and a semaphore lease lost to a wipe (4001), at warning level, naming the semaphore.
/// </summary>
[Collection(RedisFaultCollection.Name)]
public sealed class RedisLogTests
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(30);

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_restarted_Redis_logs_the_policy_engaging_once_and_its_recovery_once()
    {
        await using var server = await RedisServer.StartDedicatedAsync();
        await using var storage = new RedisStorage(server.Endpoint, new RedisStorageOptions
        {
            OperationTimeout = TimeSpan.FromMilliseconds(300),
            FailureMode = StorageFailureMode.FailOpen,
        });
        using var kit = new TelemetryTestKit(options =>
        {
            options.TimeProvider = null; // real time: the Redis client's timeouts
            options.Storage = storage;
        });
        var site = Sites.RateLimit("Ns.Type.Logs()", 1000, 1, 0, RateLimitStrategy.TokenBucket, null, null, 0);
        using var scope = ThrottleRuntime.Use(kit.Runtime);
        await FaultRecovery.EventuallyAsync(async () => await storage.ExistsAsync("warm-up"));
        await site.AcquireAsync("k", CancellationToken.None);
        Assert.Empty(kit.LogsWithId(5001));

        await server.StopAsync(); // kill -9
        await site.AcquireAsync("k", CancellationToken.None); // fails open
        await site.AcquireAsync("k", CancellationToken.None);
        var engaged = Assert.Single(kit.LogsWithId(5001));
        Assert.Equal(LogLevel.Warning, engaged.Level);
        Assert.Empty(kit.LogsWithId(5002));

        await server.StartAsync();

        // Fail-open calls succeed either way: the recovery log is the signal that a call reached Redis again.
        var waited = Stopwatch.StartNew();
        while (kit.LogsWithId(5002).Count == 0)
        {
            Assert.True(waited.Elapsed < s_guard, "Redis recovered was never logged.");
            await site.AcquireAsync("k", CancellationToken.None);
        }

        var recovered = Assert.Single(kit.LogsWithId(5002));
        Assert.Equal(LogLevel.Information, recovered.Level);
        Assert.Contains(server.Endpoint, recovered.Message, StringComparison.Ordinal);
        await site.AcquireAsync("k", CancellationToken.None);
        Assert.Single(kit.LogsWithId(5001));
        Assert.Single(kit.LogsWithId(5002));
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_lease_lost_to_a_wipe_is_logged_once_as_a_warning_naming_the_semaphore()
    {
        await using var server = await RedisServer.StartDedicatedAsync();
        await using var storage = new RedisStorage(server.Endpoint, new RedisStorageOptions { OperationTimeout = TimeSpan.FromSeconds(2) });
        using var kit = new TelemetryTestKit(options =>
        {
            options.TimeProvider = null;
            options.Storage = storage;
        });
        var semaphore = kit.Runtime.RegisterSemaphore(new DistributedSemaphoreOptions { Key = "log-licences", Value = 1, LeaseSeconds = 0.6 });
        await using var lease = await FaultRecovery.EventuallyAsync(async () => await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None));
        Assert.Empty(kit.LogsWithId(4001));

        await using (var admin = await server.ConnectAsync(options => options.AllowAdmin = true))
        {
            await admin.GetDatabase().ExecuteAsync("FLUSHALL");
        }

        // The lease learns at its next renewal (a third of the lease); its token is the signal.
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lease.LeaseLost.Register(() => lost.TrySetResult());
        await lost.Task.WaitAsync(s_guard);

        var record = Assert.Single(kit.LogsWithId(4001));
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Contains("log-licences", record.Message, StringComparison.Ordinal);
    }
}
