using System;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Polly;
using Polly.RateLimiting;
using Throttle.Interop;
using Throttle.Limiters;
using Throttle.Storage;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Interop;

public sealed class RateLimitingInteropTests
{
    private readonly TestClock _clock = new();

    private TokenBucketLimiter Bucket(double rate = 2) => new(rate, storage: new MemoryStorage(100, _clock));

    [Fact]
    public async Task PollyRateLimiterStrategy_RejectsWithTheLimitersRetryAfter()
    {
        using var rateLimiter = Bucket().AsRateLimiter("api");
        var pipeline = new ResiliencePipelineBuilder().AddRateLimiter(rateLimiter).Build();

        var calls = 0;
        await pipeline.ExecuteAsync(_ => { calls++; return ValueTask.CompletedTask; });
        await pipeline.ExecuteAsync(_ => { calls++; return ValueTask.CompletedTask; });
        var ex = await Assert.ThrowsAsync<RateLimiterRejectedException>(
            () => pipeline.ExecuteAsync(_ => { calls++; return ValueTask.CompletedTask; }).AsTask());

        Assert.Equal(2, calls);
        Assert.Equal(TimeSpan.FromSeconds(0.5), ex.RetryAfter);

        _clock.Advance(TimeSpan.FromSeconds(0.5));
        await pipeline.ExecuteAsync(_ => { calls++; return ValueTask.CompletedTask; });
        Assert.Equal(3, calls);
    }

    [Fact]
    public void AttemptAcquire_MapsDecisions_AndCountsLeases()
    {
        using var rateLimiter = Bucket().AsRateLimiter("k");
        using (var lease = rateLimiter.AttemptAcquire(2))
        {
            Assert.True(lease.IsAcquired);
            Assert.False(lease.TryGetMetadata(MetadataName.RetryAfter, out _));
        }

        using var rejected = rateLimiter.AttemptAcquire(1);
        Assert.False(rejected.IsAcquired);
        Assert.True(rejected.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(0.5), retryAfter);

        var stats = rateLimiter.GetStatistics()!;
        Assert.Equal(0, stats.CurrentAvailablePermits);
        Assert.Equal(1, stats.TotalSuccessfulLeases);
        Assert.Equal(1, stats.TotalFailedLeases);
        Assert.Null(rateLimiter.IdleDuration);
    }

    [Fact]
    public void PermitCountZero_TellsAvailabilityWithoutTaking()
    {
        var limiter = Bucket();
        using var rateLimiter = limiter.AsRateLimiter("k");
        Assert.True(rateLimiter.AttemptAcquire(0).IsAcquired);
        Assert.True(rateLimiter.AttemptAcquire(0).IsAcquired);
        Assert.Equal(2, rateLimiter.GetStatistics()!.CurrentAvailablePermits);

        Assert.True(rateLimiter.AttemptAcquire(2).IsAcquired);
        Assert.False(rateLimiter.AttemptAcquire(0).IsAcquired);
    }

    [Fact]
    public async Task AcquireAsync_WithoutMaxWait_FailsAtOnceWithRetryAfter()
    {
        using var rateLimiter = Bucket().AsRateLimiter("k");
        Assert.True((await rateLimiter.AcquireAsync(2)).IsAcquired);
        var pending = rateLimiter.AcquireAsync(1);
        Assert.True(pending.IsCompleted);
        var lease = await pending;
        Assert.False(lease.IsAcquired);
        Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(0.5), retryAfter);
    }

    [Fact]
    public async Task AcquireAsync_NextPermitBeyondMaxWait_FailsAtOnce()
    {
        using var rateLimiter = Bucket().AsRateLimiter("k", TimeSpan.FromSeconds(0.2));
        Assert.True((await rateLimiter.AcquireAsync(2)).IsAcquired);
        var lease = await rateLimiter.AcquireAsync(1);
        Assert.False(lease.IsAcquired);
        Assert.Equal(1, rateLimiter.GetStatistics()!.TotalFailedLeases);
    }

    [Fact]
    public async Task AcquireAsync_WaitsForTheComputedDelay()
    {
        using var rateLimiter = Bucket().AsRateLimiter("k", Timeout.InfiniteTimeSpan);
        Assert.True((await rateLimiter.AcquireAsync(2)).IsAcquired);

        var waiting = rateLimiter.AcquireAsync(1).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, rateLimiter.GetStatistics()!.CurrentQueuedCount);
        _clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.True((await waiting.WaitAsync(TimeSpan.FromSeconds(30))).IsAcquired);
    }

    [Fact]
    public async Task AcquireAsync_Cancelled_Throws_AndDisposeFailsWaiters()
    {
        var rateLimiter = Bucket().AsRateLimiter("k", Timeout.InfiniteTimeSpan);
        await rateLimiter.AcquireAsync(2);

        using var cts = new CancellationTokenSource();
        var cancelled = rateLimiter.AcquireAsync(1, cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(30)));

        var waiting = rateLimiter.AcquireAsync(1).AsTask();
        rateLimiter.Dispose();
        Assert.False((await waiting.WaitAsync(TimeSpan.FromSeconds(30))).IsAcquired);
        Assert.Throws<ObjectDisposedException>(() => rateLimiter.AttemptAcquire(1));
    }

    [Fact]
    public void Partitioned_KeysArePartitions()
    {
        var limiter = Bucket(rate: 1);
        using var partitioned = limiter.AsPartitionedRateLimiter();
        Assert.True(partitioned.AttemptAcquire("a").IsAcquired);
        Assert.False(partitioned.AttemptAcquire("a").IsAcquired);
        Assert.True(partitioned.AttemptAcquire("b").IsAcquired);
        Assert.Equal(0, partitioned.GetStatistics("a")!.CurrentAvailablePermits);
    }

    [Fact]
    public void BadArguments_Throw()
    {
        var limiter = Bucket();
        Assert.Throws<ArgumentNullException>("key", () => limiter.AsRateLimiter(null!));
        Assert.Throws<ArgumentOutOfRangeException>("maxWait", () => limiter.AsRateLimiter("k", TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentNullException>("limiter", () => ((ThrottleLimiter)null!).AsRateLimiter("k"));
        using var rateLimiter = limiter.AsRateLimiter("k");
        var ex = Assert.Throws<ArgumentOutOfRangeException>("permitCount", () => rateLimiter.AttemptAcquire(3));
        Assert.Contains("never succeed", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => rateLimiter.AttemptAcquire(-1));
        using var partitioned = limiter.AsPartitionedRateLimiter();
        Assert.Throws<ArgumentNullException>("resource", () => partitioned.AttemptAcquire(null!));
    }

    [Fact]
    public async Task WorksOverEveryAlgorithm()
    {
        var storage = new MemoryStorage(100, _clock);
        ThrottleLimiter[] limiters =
        [
            new SlidingWindowLimiter(2, storage: storage),
            new LeakyBucketLimiter(2, 2, storage: storage),
            new CompositeLimiter([new TokenBucketLimiter(2, storage: storage, scope: "c")]),
        ];
        foreach (var limiter in limiters)
        {
            using var rateLimiter = limiter.AsRateLimiter("k");
            var leases = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.FromResult(rateLimiter.AttemptAcquire())));
            // The leaky bucket grants a non-waiting attempt only when the call may start now: one, then 1/rate later the next.
            Assert.Equal(limiter is LeakyBucketLimiter ? 1 : 2, leases.Count(l => l.IsAcquired));
        }
    }
}
