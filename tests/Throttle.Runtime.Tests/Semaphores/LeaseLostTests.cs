using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Infrastructure;
using Throttle.Policies;
using Throttle.Semaphores;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Semaphores;

/// <summary>
/// Issue 18, a lease loss the method can see: a <c>[DistributedSemaphore]</c> method's token is cancelled when its
/// lease is lost (the slot was wiped and may be given away, or renewals failed for a whole lease), linked with the
/// caller's token; the runtime API offers the same as <see cref="SemaphoreLease.LeaseLost"/>.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class LeaseLostTests(RedisFixture redis)
{
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan s_timeout = TimeSpan.FromMilliseconds(400);

    // The documented window (a renewal period plus the timeout), plus generous slack for a loaded machine.
    private static readonly TimeSpan s_window = (s_lease / 3) + s_timeout + TimeSpan.FromSeconds(5);

    private static DistributedSemaphoreSite Site(string key) => new("M", new DistributedSemaphoreOptions
    {
        Key = key,
        Value = 1,
        LeaseSeconds = s_lease.TotalSeconds,
        AcquireSleepDelaySeconds = 0.05,
    });

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_wiped_lease_cancels_the_method_token_and_a_newcomer_gets_the_slot()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var storage = new RedisStorage(server.Endpoint, new RedisStorageOptions { OperationTimeout = s_timeout });
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { Storage = storage });
        using var scope = ThrottleRuntime.Use(runtime);
        var site = Site("wiped");
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelledAfter = TimeSpan.Zero;
        Stopwatch? sinceWipe = null;

        var running = site.InvokeAsync<int, int>(null, null, 0, async (_, token) =>
        {
            entered.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                cancelledAfter = sinceWipe?.Elapsed ?? TimeSpan.MaxValue;
            }

            return 0;
        }, CancellationToken.None).AsTask();
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await using (var admin = await server.ConnectAsync(options => options.AllowAdmin = true))
        {
            await admin.GetDatabase().ExecuteAsync("FLUSHALL");
            sinceWipe = Stopwatch.StartNew();
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(cancelledAfter < s_window, $"The method learned of the loss {cancelledAfter} after the wipe; window {s_window}.");

        // The slot is free for a newcomer (the lost holder's release released nothing and did not throw).
        await using var lease = await site.Resolve(null).AcquireAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.False(lease.LeaseLost.IsCancellationRequested);
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task Renewals_failing_for_a_whole_lease_mark_it_lost_at_its_deadline()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var storage = new RedisStorage(server.Endpoint, new RedisStorageOptions { OperationTimeout = s_timeout });
        await using var semaphore = new DistributedBoundedSemaphore(storage, "paused", null, 1, TimeSpan.FromMilliseconds(50), s_lease, null);
        var lease = await FaultsRecovery(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
        var lost = lease.LeaseLost;

        await using (var admin = await server.ConnectAsync(options => options.AllowAdmin = true))
        {
            // Longer than the lease: every renewal times out; the lease runs out on Redis meanwhile.
            await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "4000", "ALL");
        }

        var paused = Stopwatch.StartNew();
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lost.Register(() => cancelled.TrySetResult());
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Lost by its deadline: at most one lease after the last confirmed renewal (slack for a loaded machine),
        // while Redis was still paused, so before anyone else could be given the slot.
        Assert.True(lease.IsLost);
        Assert.True(paused.Elapsed < s_lease + TimeSpan.FromSeconds(2), $"Lost {paused.Elapsed} into a pause; lease {s_lease}.");
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => lease.ReleaseAsync().AsTask()); // lost: reported, never raw
    }

    [Fact]
    public async Task The_caller_token_still_cancels_the_method_and_in_process_leases_are_never_lost()
    {
        var runtime = new ThrottleRuntime();
        using var scope = ThrottleRuntime.Use(runtime);
        var site = Site("local");
        using var caller = new CancellationTokenSource();
        CancellationToken seen = default;
        var running = site.InvokeAsync<int, int>(null, null, 0, async (_, token) =>
        {
            seen = token;
            await Task.Delay(Timeout.Infinite, token);
            return 0;
        }, caller.Token).AsTask();

        Assert.Equal(caller.Token, seen); // in process: the caller's token itself, nothing linked or allocated
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(10)));

        await using var lease = await site.Resolve(null).AcquireAsync();
        Assert.False(lease.LeaseLost.CanBeCanceled);
    }

    private static async Task<T> FaultsRecovery<T>(Func<Task<T>> attempt) => await Throttle.Tests.Faults.FaultRecovery.EventuallyAsync(attempt);
}
