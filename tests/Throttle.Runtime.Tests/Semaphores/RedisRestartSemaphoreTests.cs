using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Semaphores;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Semaphores;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisRestartSemaphoreTests(RedisFixture redis)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_restart_with_holders_and_waiters_gives_clear_errors_then_works_with_no_leaked_slot()
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

        var key = redis.KeyPrefix() + "sem";
        var lease = TimeSpan.FromSeconds(1.5);
        await using var semaphore = new DistributedBoundedSemaphore(connection, key, 2, TimeSpan.FromMilliseconds(100), leaseTime: lease);
        var first = await semaphore.AcquireAsync();
        var second = await semaphore.AcquireAsync();
        var waiter = semaphore.AcquireAsync(TimeSpan.FromSeconds(20), CancellationToken.None).AsTask();

        await server.StopAsync();

        // The waiter fails with a storage error naming the endpoint rather than hanging; so does a new acquire.
        var waiterError = await Record.ExceptionAsync(() => waiter.WaitAsync(Guard));
        Assert.True(waiterError is Throttle.Storage.ThrottleStorageException { Endpoint: not null }, $"Expected a storage error naming the endpoint, got: {waiterError}");
        var acquireError = await Record.ExceptionAsync(() => semaphore.AcquireAsync(TimeSpan.FromSeconds(1), CancellationToken.None).AsTask());
        Assert.True(acquireError is Throttle.Storage.ThrottleStorageException { Endpoint: not null }, $"Expected a storage error naming the endpoint, got: {acquireError}");

        await server.StartAsync();
        await restored.Task.WaitAsync(Guard);

        // The restarted server forgot the leases: renewal reports them lost, and releasing them releases nothing.
        using (var wait = new CancellationTokenSource(Guard))
        {
            while (!(first.IsLost && second.IsLost))
            {
                await Task.Delay(20, wait.Token);
            }
        }

        await first.DisposeAsync();
        await Assert.ThrowsAsync<SemaphoreLeaseLostException>(() => second.ReleaseAsync().AsTask());

        // Exactly two slots again: none leaked, none invented.
        await using var a = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        await using var b = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
    }
}
