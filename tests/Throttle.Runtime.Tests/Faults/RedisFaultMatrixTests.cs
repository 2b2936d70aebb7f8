using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Storage;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Throttle.Workers;
using Xunit;

namespace Throttle.Tests.Faults;

/// <summary>
/// Issue 18's fault matrix on a real <c>redis-server</c> each test starts (and kills): every fault × every failure
/// policy (<see cref="StorageFailureMode"/>) × the limiters and the semaphore. Each test puts all subjects through one
/// fault at once, so the suite takes seconds. Asserted: the documented outcome while Redis is out, the caller's latency
/// bound (timeout + generous slack, an upper bound only), recovery without a restart, the invariants after (no
/// over-admission beyond a fresh burst after a wipe, valid leases never above the value), and no unobserved task
/// exception once everything is collected and finalized.
/// </summary>
[Collection(RedisFaultCollection.Name)]
public sealed class RedisFaultMatrixTests
{
    private static readonly FaultBounds s_bounds = new(TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5));

    // Wipes: a short lease, so the lost holders learn it quickly. Kept state: a lease that outlives the fault.
    private static readonly TimeSpan s_shortLease = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan s_longLease = TimeSpan.FromSeconds(8);

    public static TheoryData<RedisFault> Faults => new(Enum.GetValues<RedisFault>());

    [RedisTheory(RequiresDedicatedServer = true)]
    [MemberData(nameof(Faults))]
    public async Task Every_subject_under_every_failure_policy_survives(RedisFault fault)
    {
        using var unobserved = new UnobservedExceptionMonitor();
        await RunAsync(fault);
        unobserved.AssertNoneAfterFinalization();
    }

    [Fact]
    public async Task A_stopped_worker_pool_leaves_no_unobserved_exception()
    {
        using var unobserved = new UnobservedExceptionMonitor();
        var pool = new WorkerPool();
        await pool.DisposeAsync();
        for (var i = 0; i < 100; i++)
        {
            Assert.Throws<ObjectDisposedException>(Submit);
        }

        unobserved.AssertNoneAfterFinalization();

        void Submit() => _ = pool.SubmitAsync(_ => ValueTask.FromResult(1));
    }

    private static async Task RunAsync(RedisFault fault)
    {
        await using var server = await RedisServer.StartDedicatedAsync();
        var storages = Enum.GetValues<StorageFailureMode>()
            .Select(mode => new RedisStorage(server.Endpoint, new RedisStorageOptions
            {
                KeyPrefix = "faults-" + mode,
                OperationTimeout = s_bounds.OperationTimeout,
                FailureMode = mode,
                FailClosedRetryAfter = TimeSpan.FromSeconds(7),
            }))
            .ToList();
        var lease = fault.WipesState() ? s_shortLease : s_longLease;
        var subjects = FaultSubjects.All(storages, lease);
        try
        {
            // Connected before the fault (the first call also connects, which a loaded machine may not do in 0.4 s).
            foreach (var storage in storages)
            {
                await FaultRecovery.EventuallyAsync(async () => await storage.ExistsAsync("warm-up"));
            }

            foreach (var subject in subjects)
            {
                await subject.PrepareAsync();
            }

            await using (var admin = await server.ConnectAsync(options => options.AllowAdmin = true))
            {
                await ApplyAsync(fault, server, admin, subjects);
            }

            foreach (var subject in subjects)
            {
                await subject.AfterAsync(fault, s_bounds);
            }
        }
        finally
        {
            foreach (var subject in subjects)
            {
                await subject.DisposeAsync();
            }

            foreach (var storage in storages)
            {
                await storage.DisposeAsync();
            }
        }
    }

    private static async Task ApplyAsync(RedisFault fault, DedicatedRedisServer server, ConnectionMultiplexer admin, IReadOnlyList<IFaultSubject> subjects)
    {
        var database = admin.GetDatabase();
        switch (fault)
        {
            case RedisFault.KillAndRestart:
                await server.StopAsync(); // kill -9
                await DuringOutageAsync(subjects);
                await server.StartAsync();
                break;
            case RedisFault.ClientPause:
                // Past the timeout (every call during it times out), shorter than the long lease.
                var pause = s_bounds.OperationTimeout * 5;
                await database.ExecuteAsync("CLIENT", "PAUSE", ((long)pause.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture), "ALL");
                var paused = System.Diagnostics.Stopwatch.StartNew();
                await DuringOutageAsync(subjects);
                Assert.True(paused.Elapsed < pause, "The probes outlasted the pause; lengthen it for this machine.");
                break;
            case RedisFault.ScriptFlush:
                await database.ExecuteAsync("SCRIPT", "FLUSH");
                break;
            case RedisFault.FlushAll:
                await database.ExecuteAsync("FLUSHALL");
                break;
        }
    }

    private static async Task DuringOutageAsync(IReadOnlyList<IFaultSubject> subjects)
    {
        // All at once: the outage is short (a pause), and each call is bounded by the timeout anyway.
        var probes = subjects.Select(async subject =>
        {
            try
            {
                await subject.DuringOutageAsync(s_bounds);
            }
            catch (Exception exception) when (exception is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException($"{subject.Name}: {exception.Message}", exception);
            }
        });
        await Task.WhenAll(probes);
    }
}
