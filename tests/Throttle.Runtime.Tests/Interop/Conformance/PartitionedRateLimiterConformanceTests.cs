using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Xunit;

namespace Throttle.Tests.Interop.Conformance;

/// <summary>
/// System.Threading.RateLimiting's <see cref="PartitionedRateLimiter{TResource}"/> contract (written from the contract,
/// as <see cref="RateLimiterConformanceTests"/>). The control is <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/>
/// over STRL token buckets; Throttle runs as <c>AsPartitionedRateLimiter</c> (memory, Redis) and as
/// <c>PartitionedRateLimiter.Create</c> over <c>AsRateLimiter(key)</c> views. Partitions are token buckets of
/// <c>tokenLimit</c> permits refilled to full by one <see cref="ReplenishAsync"/>.
/// </summary>
public abstract class PartitionedRateLimiterConformanceTests
{
    protected static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    /// <summary>A partitioned limiter whose partitions hold <paramref name="tokenLimit"/> and queue up to <paramref name="queueLimit"/> permits.</summary>
    protected abstract PartitionedRateLimiter<string> Create(int tokenLimit, int queueLimit);

    /// <summary>Refills every partition.</summary>
    protected abstract Task ReplenishAsync();

    [Fact]
    public async Task Partitions_are_independent()
    {
        using var limiter = Create(1, 0);
        using var a = await limiter.AcquireAsync("a");
        using var again = await limiter.AcquireAsync("a");
        using var b = await limiter.AcquireAsync("b");
        Assert.True(a.IsAcquired);
        Assert.False(again.IsAcquired);
        Assert.True(b.IsAcquired);
    }

    [Fact]
    public async Task Statistics_are_per_partition()
    {
        using var limiter = Create(2, 0);
        using var a = await limiter.AcquireAsync("a");
        using var refused = await limiter.AcquireAsync("a", 2);

        var statsA = limiter.GetStatistics("a")!;
        var statsB = limiter.GetStatistics("b")!;
        Assert.NotSame(statsA, statsB);
        Assert.Equal((1, 1, 1), (statsA.CurrentAvailablePermits, statsA.TotalSuccessfulLeases, statsA.TotalFailedLeases));
        Assert.Equal((2, 0, 0), (statsB.CurrentAvailablePermits, statsB.TotalSuccessfulLeases, statsB.TotalFailedLeases));
    }

    [Fact]
    public async Task The_empty_string_is_a_partition_of_its_own()
    {
        using var limiter = Create(1, 0);
        using var empty = await limiter.AcquireAsync("");
        using var emptyAgain = await limiter.AcquireAsync("");
        using var other = await limiter.AcquireAsync("\0");
        Assert.True(empty.IsAcquired);
        Assert.False(emptyAgain.IsAcquired);
        Assert.True(other.IsAcquired);
        Assert.Equal(1, limiter.GetStatistics("")!.TotalSuccessfulLeases);
    }

    [Fact]
    public async Task A_queued_acquisition_waits_in_its_partition_only()
    {
        using var limiter = Create(1, 1);
        using var held = await limiter.AcquireAsync("a");
        var waiting = limiter.AcquireAsync("a").AsTask();
        await WhenQueuedAsync(limiter, "a", 1);
        Assert.Equal(0, limiter.GetStatistics("b")!.CurrentQueuedCount);
        using var b = await limiter.AcquireAsync("b");
        Assert.True(b.IsAcquired);
        Assert.False(waiting.IsCompleted);

        await ReplenishAsync();
        using var served = await waiting.WaitAsync(Safety);
        Assert.True(served.IsAcquired);
    }

    [Fact]
    public async Task Cancelling_a_queued_acquisition_throws_with_the_callers_token()
    {
        using var limiter = Create(1, 1);
        using var held = await limiter.AcquireAsync("a");
        using var cts = new CancellationTokenSource();
        var waiting = limiter.AcquireAsync("a", 1, cts.Token).AsTask();
        await WhenQueuedAsync(limiter, "a", 1);

        await cts.CancelAsync();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Safety));
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal(0, limiter.GetStatistics("a")!.CurrentQueuedCount);
    }

    [Fact]
    public async Task Dispose_ends_queued_acquisitions_in_every_partition_and_later_calls_throw()
    {
        var limiter = Create(1, 1);
        var waiters = await QueueInTwoPartitionsAsync(limiter);
        limiter.Dispose();
        await AssertEndedThenRefusedAsync(limiter, waiters);
    }

    [Fact]
    public async Task DisposeAsync_ends_queued_acquisitions_in_every_partition_and_later_calls_throw()
    {
        var limiter = Create(1, 1);
        var waiters = await QueueInTwoPartitionsAsync(limiter);
        await limiter.DisposeAsync();
        await AssertEndedThenRefusedAsync(limiter, waiters);
    }

    [Fact]
    public void GetStatistics_after_dispose_throws()
    {
        var limiter = Create(1, 0);
        limiter.Dispose();
        Assert.Throws<ObjectDisposedException>(() => limiter.GetStatistics("a"));
    }

    [Fact]
    public async Task WithTranslatedKey_without_leaveOpen_disposes_the_inner_limiter()
    {
        var inner = Create(1, 1);
        var translated = inner.WithTranslatedKey<int>(id => "user-" + id, leaveOpen: false);
        using var held = await translated.AcquireAsync(7);
        Assert.True(held.IsAcquired);
        Assert.Equal(1, inner.GetStatistics("user-7")!.TotalSuccessfulLeases);
        var waiting = translated.AcquireAsync(7).AsTask();
        await WhenQueuedAsync(inner, "user-7", 1);

        await translated.DisposeAsync();

        using var ended = await waiting.WaitAsync(Safety);
        Assert.False(ended.IsAcquired);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await inner.AcquireAsync("user-8"));
        Assert.Throws<ObjectDisposedException>(() => inner.AttemptAcquire("user-8"));
    }

    [Fact]
    public async Task WithTranslatedKey_with_leaveOpen_keeps_the_inner_limiter()
    {
        using var inner = Create(1, 0);
        var translated = inner.WithTranslatedKey<int>(id => "user-" + id, leaveOpen: true);
        translated.Dispose();
        using var lease = await inner.AcquireAsync("user-1");
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public async Task A_chain_grants_only_what_every_limiter_grants_and_reports_RetryAfter()
    {
        using var subject = Create(1, 0);
        using var roomy = PartitionedRateLimiter.Create<string, string>(r => RateLimitPartition.GetNoLimiter(r));
        using var chain = PartitionedRateLimiter.CreateChained(subject, roomy);

        using var first = await chain.AcquireAsync("a");
        using var second = await chain.AcquireAsync("a");
        Assert.True(first.IsAcquired);
        Assert.False(second.IsAcquired);
        Assert.True(second.TryGetMetadata(MetadataName.RetryAfter, out _));
        Assert.Equal(1, subject.GetStatistics("a")!.TotalSuccessfulLeases);
    }

    [Fact]
    public async Task Argument_checks_are_STRLs()
    {
        using var limiter = Create(1, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire("a", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire("a", 2));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await limiter.AcquireAsync("a", -1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await limiter.AcquireAsync("a", 2));
    }

    protected static async Task WhenQueuedAsync(PartitionedRateLimiter<string> limiter, string resource, long permits)
    {
        var deadline = DateTime.UtcNow + Safety;
        while (limiter.GetStatistics(resource)!.CurrentQueuedCount != permits)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{permits} permits were never queued in {resource}.");
            await Task.Delay(5);
        }
    }

    private static async Task<Task<RateLimitLease>[]> QueueInTwoPartitionsAsync(PartitionedRateLimiter<string> limiter)
    {
        using var heldA = await limiter.AcquireAsync("a");
        using var heldB = await limiter.AcquireAsync("b");
        var waiters = new[] { limiter.AcquireAsync("a").AsTask(), limiter.AcquireAsync("b").AsTask() };
        await WhenQueuedAsync(limiter, "a", 1);
        await WhenQueuedAsync(limiter, "b", 1);
        return waiters;
    }

    private static async Task AssertEndedThenRefusedAsync(PartitionedRateLimiter<string> limiter, Task<RateLimitLease>[] waiters)
    {
        var ended = await Task.WhenAll(waiters).WaitAsync(Safety);
        Assert.All(ended, lease => Assert.False(lease.IsAcquired));
        Assert.Throws<ObjectDisposedException>(() => limiter.AttemptAcquire("a"));
        Assert.Throws<ObjectDisposedException>(() => limiter.AttemptAcquire("c"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await limiter.AcquireAsync("c"));
    }
}
