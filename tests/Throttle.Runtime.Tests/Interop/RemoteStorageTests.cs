using System;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Throttle.Interop;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Storage.Hybrid;
using Throttle.Storage.Redis;
using Throttle.Tests.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Interop;

/// <summary>
/// On remote storage the synchronous <c>AttemptAcquire</c> never asks the storage (so it never blocks a thread): shown
/// against a Redis nobody listens on, where any storage call fails.
/// </summary>
public sealed class RemoteStorageTests
{
    [Fact]
    public async Task AttemptAcquire_on_Redis_fails_at_once_without_asking_while_AcquireAsync_asks()
    {
        await using var storage = new RedisStorage(
            $"127.0.0.1:{RedisTestHelpers.FreePort()}",
            new RedisStorageOptions { OperationTimeout = TimeSpan.FromMilliseconds(300), FailureMode = StorageFailureMode.Throw });
        using var limiter = new TokenBucketLimiter(10, storage: storage).AsRateLimiter("k");

        using var attempt = limiter.AttemptAcquire(1);
        Assert.False(attempt.IsAcquired);
        Assert.Empty(attempt.MetadataNames);
        Assert.Equal(0, limiter.GetStatistics()!.TotalFailedLeases); // no decision was made, none is counted

        // The asynchronous path does reach the storage, which is down.
        await Assert.ThrowsAsync<ThrottleStorageException>(async () => await limiter.AcquireAsync(1));
    }

    [Fact]
    public async Task AttemptAcquire_on_hybrid_storage_fails_at_once_without_asking()
    {
        await using var redis = new RedisStorage(
            $"127.0.0.1:{RedisTestHelpers.FreePort()}",
            new RedisStorageOptions { OperationTimeout = TimeSpan.FromMilliseconds(300), FailureMode = StorageFailureMode.Throw });
        await using var hybrid = new HybridStorage(redis, 16);
        using var limiter = new SlidingWindowLimiter(10, storage: hybrid).AsPartitionedRateLimiter();

        using var attempt = limiter.AttemptAcquire("k");
        Assert.False(attempt.IsAcquired);
        await Assert.ThrowsAsync<ThrottleStorageException>(async () => await limiter.AcquireAsync("k"));
    }
}
