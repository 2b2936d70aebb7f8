using System;
using System.Threading.Tasks;
using Throttle.Storage;
using Throttle.Storage.Hybrid;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Throttle.Workers;
using Xunit;

namespace Throttle.Tests.Storage;

/// <summary>Storages and the worker pool: <c>Dispose</c> and <c>DisposeAsync</c> have the same effect.</summary>
[Collection(RedisFixture.CollectionName)]
public sealed class StorageDisposalTests(RedisFixture redis)
{
    public static TheoryData<bool> Ways => new() { true, false };

    private static async ValueTask DisposeAsync(IAsyncDisposable target, bool asynchronously)
    {
        if (asynchronously)
        {
            await target.DisposeAsync();
        }
        else
        {
            ((IDisposable)target).Dispose();
        }
    }

    [RedisTheory]
    [MemberData(nameof(Ways))]
    public async Task A_Redis_storage_that_owns_its_connection_refuses_operations_once_disposed(bool asynchronously)
    {
        var storage = new RedisStorage(redis.Endpoint);
        await storage.SetAsync(redis.KeyPrefix() + "k", "v");

        await DisposeAsync(storage, asynchronously);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.GetAsync(redis.KeyPrefix() + "k").AsTask());
    }

    [RedisTheory]
    [MemberData(nameof(Ways))]
    public async Task A_hybrid_storage_that_owns_its_Redis_refuses_Redis_operations_once_disposed(bool asynchronously)
    {
        var storage = new HybridStorage(redis.Endpoint);
        await storage.SetAsync(redis.KeyPrefix() + "k", "1");

        await DisposeAsync(storage, asynchronously);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.IncrementAsync(redis.KeyPrefix() + "k").AsTask());
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public async Task A_worker_pool_runs_what_was_submitted_then_refuses_more(bool asynchronously)
    {
        var pool = new WorkerPool();
        var submitted = pool.SubmitAsync(async _ =>
        {
            await Task.Yield();
            return 7;
        });

        await DisposeAsync(pool, asynchronously);

        Assert.True(submitted.IsCompleted);
        Assert.Equal(7, await submitted);
        Assert.Throws<ObjectDisposedException>(Submit); // thrown by the call itself, not through a task

        void Submit() => _ = pool.SubmitAsync(_ => ValueTask.FromResult(1));
    }
}
