using System;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Xunit;

namespace Throttle.Tests.Interop.Conformance;

/// <summary>
/// System.Threading.RateLimiting's <see cref="RateLimiter"/> contract, as the behaviours STRL's own limiters show
/// (written from the contract; STRL's test suite was read to know the behaviours, not copied). A subclass supplies the
/// limiter under test: STRL's <see cref="TokenBucketRateLimiter"/> as the control that must pass every case, and
/// Throttle's <c>AsRateLimiter</c> on memory and on Redis. Where Throttle differs on purpose the case asserts the
/// documented difference (README, "STRL contract"), switched by <see cref="AttemptDecides"/> and
/// <see cref="GrantedLeasesCarryQuota"/>.
/// </summary>
/// <remarks>
/// Limiters are token buckets of <c>tokenLimit</c> permits refilled by <c>tokensPerPeriod</c> per period, whose
/// <c>AcquireAsync</c> queues up to <c>queueLimit</c> permits. Time passes only through <see cref="ReplenishAsync"/>:
/// one period (STRL: <c>TryReplenish</c>; Throttle: the fake clock; on Redis, whose decisions use the server's clock,
/// also one real period).
/// </remarks>
public abstract class RateLimiterConformanceTests
{
    protected static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    /// <summary>A limiter as described in the class remarks.</summary>
    protected abstract RateLimiter Create(int tokenLimit, int tokensPerPeriod, int queueLimit, QueueProcessingOrder order = QueueProcessingOrder.OldestFirst);

    /// <summary>Lets one replenishment period pass for <paramref name="limiter"/>.</summary>
    protected abstract Task ReplenishAsync(RateLimiter limiter);

    /// <summary>
    /// Whether a synchronous <c>AttemptAcquire</c> decides. False on remote storage: it fails at once without asking the
    /// storage (no RetryAfter, nothing taken) so that callers go on to <c>AcquireAsync</c>.
    /// </summary>
    protected virtual bool AttemptDecides => true;

    /// <summary>Whether granted leases carry Throttle's quota metadata (STRL's carry none).</summary>
    protected virtual bool GrantedLeasesCarryQuota => false;

    [Fact]
    public async Task AttemptAcquire_grants_a_free_permit_and_fails_without_one()
    {
        using var limiter = Create(1, 1, 0);
        using var first = limiter.AttemptAcquire(1);
        if (!AttemptDecides)
        {
            Assert.False(first.IsAcquired);
            Assert.False(first.TryGetMetadata(MetadataName.RetryAfter, out _));
            using var taken = await limiter.AcquireAsync(1);
            Assert.True(taken.IsAcquired); // the failed attempt took nothing
            return;
        }

        Assert.True(first.IsAcquired);
        using var second = limiter.AttemptAcquire(1);
        Assert.False(second.IsAcquired);
    }

    [Fact]
    public async Task AcquireAsync_grants_a_free_permit_and_fails_at_once_without_one_when_nothing_may_queue()
    {
        using var limiter = Create(1, 1, 0);
        using var first = await limiter.AcquireAsync(1);
        Assert.True(first.IsAcquired);
        using var second = await limiter.AcquireAsync(1).AsTask().WaitAsync(Safety);
        Assert.False(second.IsAcquired);
    }

    [Fact]
    public async Task AcquireAsync_waits_in_the_queue_until_permits_come_back()
    {
        using var limiter = Create(1, 1, 1);
        using var held = await limiter.AcquireAsync(1);
        var waiting = await QueueAsync(limiter, 1, queued: 1);

        await ReplenishAsync(limiter);
        await AssertGrantedAsync(waiting);
    }

    [Theory]
    [InlineData(QueueProcessingOrder.OldestFirst)]
    [InlineData(QueueProcessingOrder.NewestFirst)]
    public async Task The_queue_serves_in_its_processing_order_one_replenishment_at_a_time(QueueProcessingOrder order)
    {
        using var limiter = Create(1, 1, 2, order);
        using var held = await limiter.AcquireAsync(1);
        var older = await QueueAsync(limiter, 1, queued: 1);
        var newer = await QueueAsync(limiter, 1, queued: 2);
        var (first, second) = order == QueueProcessingOrder.OldestFirst ? (older, newer) : (newer, older);

        await ReplenishAsync(limiter);
        await AssertGrantedAsync(first);
        Assert.False(second.IsCompleted);
        await ReplenishAsync(limiter);
        await AssertGrantedAsync(second);
    }

    [Fact]
    public async Task An_acquisition_beyond_the_queue_limit_fails_at_once_with_RetryAfter()
    {
        using var limiter = Create(1, 1, 1);
        using var held = await limiter.AcquireAsync(1);
        var queued = await QueueAsync(limiter, 1, queued: 1);

        using var refused = await limiter.AcquireAsync(1).AsTask().WaitAsync(Safety);
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out _));
        Assert.False(queued.IsCompleted);

        await ReplenishAsync(limiter);
        await AssertGrantedAsync(queued);
    }

    [Fact]
    public async Task With_NewestFirst_a_full_queue_fails_its_oldest_to_make_room()
    {
        using var limiter = Create(1, 1, 1, QueueProcessingOrder.NewestFirst);
        using var held = await limiter.AcquireAsync(1);
        var older = await QueueAsync(limiter, 1, queued: 1);
        var newer = limiter.AcquireAsync(1).AsTask();

        using var pushedOut = await older.WaitAsync(Safety);
        Assert.False(pushedOut.IsAcquired);
        await ReplenishAsync(limiter);
        await AssertGrantedAsync(newer);
    }

    [Fact]
    public async Task The_queue_takes_acquisitions_again_once_it_drained()
    {
        using var limiter = Create(1, 1, 1);
        using var held = await limiter.AcquireAsync(1);
        var first = await QueueAsync(limiter, 1, queued: 1);
        using (var refused = await limiter.AcquireAsync(1).AsTask().WaitAsync(Safety))
        {
            Assert.False(refused.IsAcquired);
        }

        await ReplenishAsync(limiter);
        await AssertGrantedAsync(first);

        var second = await QueueAsync(limiter, 1, queued: 1);
        await ReplenishAsync(limiter);
        await AssertGrantedAsync(second);
    }

    [Theory]
    [InlineData(2)] // more than the limit
    [InlineData(-1)]
    public void AttemptAcquire_of_a_count_outside_zero_to_the_limit_throws(int count)
    {
        using var limiter = Create(1, 1, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire(count));
    }

    [Theory]
    [InlineData(2)] // more than the limit
    [InlineData(-1)]
    public async Task AcquireAsync_of_a_count_outside_zero_to_the_limit_throws(int count)
    {
        using var limiter = Create(1, 1, 1);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await limiter.AcquireAsync(count));
    }

    [Fact]
    public async Task AttemptAcquire_of_zero_with_a_free_permit_succeeds_and_takes_nothing()
    {
        using var limiter = Create(1, 1, 0);
        using var probe = limiter.AttemptAcquire(0);
        Assert.Equal(AttemptDecides, probe.IsAcquired);
        using var lease = await limiter.AcquireAsync(1);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public async Task AttemptAcquire_of_zero_without_a_free_permit_fails()
    {
        using var limiter = Create(1, 1, 0);
        using var held = await limiter.AcquireAsync(1);
        using var probe = limiter.AttemptAcquire(0);
        Assert.False(probe.IsAcquired);
    }

    [Fact]
    public async Task AcquireAsync_of_zero_with_a_free_permit_succeeds_and_takes_nothing()
    {
        using var limiter = Create(1, 1, 0);
        using var probe = await limiter.AcquireAsync(0);
        Assert.True(probe.IsAcquired);
        using var lease = await limiter.AcquireAsync(1);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public async Task AcquireAsync_of_zero_without_a_free_permit_waits_for_one_and_takes_nothing()
    {
        using var limiter = Create(1, 1, 1);
        using var held = await limiter.AcquireAsync(1);
        var probe = limiter.AcquireAsync(0).AsTask();
        Assert.False(probe.IsCompleted);

        await ReplenishAsync(limiter);
        await AssertGrantedAsync(probe);

        using var taken = await limiter.AcquireAsync(1);
        Assert.True(taken.IsAcquired);
    }

    [Fact]
    public async Task One_replenishment_serves_every_waiter_it_covers()
    {
        using var limiter = Create(2, 2, 2);
        using var held = await limiter.AcquireAsync(2);
        var first = await QueueAsync(limiter, 1, queued: 1);
        var second = await QueueAsync(limiter, 1, queued: 2);

        await ReplenishAsync(limiter);
        var leases = await Task.WhenAll(first, second).WaitAsync(Safety);
        Assert.All(leases, lease => Assert.True(lease.IsAcquired));
    }

    [Fact]
    public async Task With_OldestFirst_AcquireAsync_does_not_overtake_the_queue()
    {
        using var limiter = Create(2, 2, 3);
        using var held = await limiter.AcquireAsync(1);
        var big = await QueueAsync(limiter, 2, queued: 2); // one free permit is not enough: it queues
        var small = await QueueAsync(limiter, 1, queued: 3); // one free permit, but the queue comes first

        await ReplenishAsync(limiter);
        await AssertGrantedAsync(big);
        await ReplenishAsync(limiter);
        await AssertGrantedAsync(small);
    }

    [Fact]
    public async Task With_NewestFirst_AcquireAsync_takes_a_free_permit_ahead_of_the_queue()
    {
        using var limiter = Create(2, 2, 2, QueueProcessingOrder.NewestFirst);
        using var held = await limiter.AcquireAsync(1);
        var big = await QueueAsync(limiter, 2, queued: 2);

        using var small = await limiter.AcquireAsync(1).AsTask().WaitAsync(Safety);
        Assert.True(small.IsAcquired);
        Assert.False(big.IsCompleted);
        await ReplenishAsync(limiter);
        await AssertGrantedAsync(big);
    }

    [Fact]
    public async Task With_OldestFirst_AttemptAcquire_does_not_overtake_the_queue()
    {
        using var limiter = Create(2, 2, 2);
        using var held = await limiter.AcquireAsync(1);
        var big = await QueueAsync(limiter, 2, queued: 2);

        using var attempt = limiter.AttemptAcquire(1);
        Assert.False(attempt.IsAcquired);
        await ReplenishAsync(limiter);
        await AssertGrantedAsync(big);
    }

    [Fact]
    public async Task With_NewestFirst_AttemptAcquire_takes_a_free_permit_ahead_of_the_queue()
    {
        using var limiter = Create(2, 2, 2, QueueProcessingOrder.NewestFirst);
        using var held = await limiter.AcquireAsync(1);
        var big = await QueueAsync(limiter, 2, queued: 2);

        using var attempt = limiter.AttemptAcquire(1);
        Assert.Equal(AttemptDecides, attempt.IsAcquired);
        Assert.False(big.IsCompleted);
    }

    [Fact]
    public async Task Cancelling_a_queued_acquisition_throws_with_the_callers_token_and_frees_its_place()
    {
        using var limiter = Create(1, 1, 1);
        using var held = await limiter.AcquireAsync(1);
        using var cts = new CancellationTokenSource();
        var waiting = await QueueAsync(limiter, 1, queued: 1, cts.Token);

        await cts.CancelAsync();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Safety));
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);

        // Its place and its permit are free again: the next acquisition queues and is served by one replenishment.
        var next = await QueueAsync(limiter, 1, queued: 1);
        await ReplenishAsync(limiter);
        await AssertGrantedAsync(next);
    }

    [Fact]
    public async Task A_cancelled_token_before_queuing_throws_with_that_token_and_takes_nothing()
    {
        using var limiter = Create(1, 1, 1);
        using var held = await limiter.AcquireAsync(1);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => limiter.AcquireAsync(1, cts.Token).AsTask().WaitAsync(Safety));
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);
        await ReplenishAsync(limiter);
        Assert.Equal(1, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task An_acquired_lease_has_no_RetryAfter()
    {
        using var limiter = Create(1, 1, 0);
        using var lease = await limiter.AcquireAsync(1);
        Assert.True(lease.IsAcquired);
        Assert.False(lease.TryGetMetadata(MetadataName.RetryAfter, out _));
        if (GrantedLeasesCarryQuota)
        {
            Assert.NotEmpty(lease.MetadataNames);
            Assert.All(lease.MetadataNames, name => Assert.True(lease.TryGetMetadata(name, out _)));
        }
    }

    [Fact]
    public async Task A_failed_lease_carries_RetryAfter_and_MetadataNames_lists_it()
    {
        using var limiter = Create(1, 1, 0);
        using var held = await limiter.AcquireAsync(1);
        using var failed = await limiter.AcquireAsync(1);
        Assert.False(failed.IsAcquired);
        Assert.True(failed.TryGetMetadata(MetadataName.RetryAfter, out _));
        Assert.Contains(MetadataName.RetryAfter.Name, failed.MetadataNames);
        Assert.All(failed.MetadataNames, name => Assert.True(failed.TryGetMetadata(name, out _)));
    }

    [Theory]
    [InlineData(nameof(RateLimiter.Dispose))]
    [InlineData(nameof(RateLimiter.DisposeAsync))]
    public async Task Disposing_ends_queued_acquisitions_with_failed_leases_and_later_calls_throw(string dispose)
    {
        var limiter = Create(1, 1, 3);
        using var held = await limiter.AcquireAsync(1);
        var waiters = new[] { limiter.AcquireAsync(1).AsTask(), limiter.AcquireAsync(1).AsTask(), limiter.AcquireAsync(1).AsTask() };
        await WhenQueuedAsync(limiter, 3);

        if (dispose == nameof(RateLimiter.DisposeAsync))
        {
            await limiter.DisposeAsync();
        }
        else
        {
            limiter.Dispose();
        }

        var ended = await Task.WhenAll(waiters).WaitAsync(Safety);
        Assert.All(ended, lease => Assert.False(lease.IsAcquired));
        Assert.Throws<ObjectDisposedException>(() => limiter.AttemptAcquire(1));
        Assert.Throws<ObjectDisposedException>(() => limiter.AttemptAcquire(0));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await limiter.AcquireAsync(1));
    }

    [Fact]
    public void GetStatistics_after_dispose_throws()
    {
        var limiter = Create(1, 1, 0);
        limiter.Dispose();
        Assert.Throws<ObjectDisposedException>(() => limiter.GetStatistics());
    }

    [Fact]
    public async Task Statistics_count_queued_permits_not_waiters()
    {
        using var limiter = Create(3, 1, 5);
        using var held = await limiter.AcquireAsync(3);
        var two = await QueueAsync(limiter, 2, queued: 2);
        var three = await QueueAsync(limiter, 3, queued: 5);

        var stats = limiter.GetStatistics()!;
        Assert.Equal(5, stats.CurrentQueuedCount);
        Assert.Equal(0, stats.CurrentAvailablePermits);
        Assert.False(two.IsCompleted || three.IsCompleted);
    }

    [Fact]
    public async Task Statistics_count_successful_and_failed_leases_and_available_permits()
    {
        using var limiter = Create(2, 2, 0);
        Assert.Equal(2, limiter.GetStatistics()!.CurrentAvailablePermits);
        using var first = await limiter.AcquireAsync(1);
        using var second = await limiter.AcquireAsync(1);
        using var refused = await limiter.AcquireAsync(1);

        var stats = limiter.GetStatistics()!;
        Assert.Equal(2, stats.TotalSuccessfulLeases);
        Assert.Equal(1, stats.TotalFailedLeases);
        Assert.Equal(0, stats.CurrentAvailablePermits);

        await ReplenishAsync(limiter);
        Assert.Equal(2, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task Disposing_a_lease_returns_no_permits()
    {
        using var limiter = Create(1, 1, 0);
        var lease = await limiter.AcquireAsync(1);
        lease.Dispose();
        using var next = await limiter.AcquireAsync(1);
        Assert.False(next.IsAcquired);
    }

    [Fact]
    public async Task IdleDuration_is_a_value_while_unused_and_null_once_permits_are_taken()
    {
        using var limiter = Create(1, 1, 0);
        Assert.NotNull(limiter.IdleDuration);
        using var lease = await limiter.AcquireAsync(1);
        Assert.Null(limiter.IdleDuration);
    }

    [Fact]
    public async Task IdleDuration_is_a_value_again_once_every_permit_is_back()
    {
        using var limiter = Create(2, 2, 0);
        using var lease = await limiter.AcquireAsync(1);
        Assert.Null(limiter.IdleDuration); // one of two taken: in use
        await ReplenishAsync(limiter);
        Assert.NotNull(limiter.IdleDuration);
    }

    [Fact]
    public async Task IdleDuration_is_null_while_acquisitions_wait()
    {
        using var limiter = Create(2, 2, 1);
        using var held = await limiter.AcquireAsync(2);
        var waiting = await QueueAsync(limiter, 1, queued: 1);
        Assert.Null(limiter.IdleDuration);
        await ReplenishAsync(limiter);
        using var lease = await waiting.WaitAsync(Safety);
        Assert.Null(limiter.IdleDuration); // the served waiter took one of the two
    }

    /// <summary>
    /// Starts an acquisition of <paramref name="permits"/> and waits until it is queued (<paramref name="queued"/> permits
    /// in the queue then): a case that meant it to wait fails at once if it ended instead.
    /// </summary>
    protected static async Task<Task<RateLimitLease>> QueueAsync(RateLimiter limiter, int permits, long queued, CancellationToken cancellationToken = default)
    {
        var waiting = limiter.AcquireAsync(permits, cancellationToken).AsTask();
        await WhenQueuedAsync(limiter, queued, waiting);
        Assert.False(waiting.IsCompleted);
        return waiting;
    }

    /// <summary>Waits until <paramref name="permits"/> are queued: at once where acquisitions queue synchronously, after the round trip on Redis.</summary>
    protected static async Task WhenQueuedAsync(RateLimiter limiter, long permits, Task<RateLimitLease>? waiting = null)
    {
        var deadline = DateTime.UtcNow + Safety;
        while (limiter.GetStatistics()!.CurrentQueuedCount != permits)
        {
            Assert.False(waiting?.IsCompleted == true, $"The acquisition ended before {permits} permits were queued.");
            Assert.True(DateTime.UtcNow < deadline, $"{permits} permits were never queued.");
            await Task.Delay(5);
        }
    }

    /// <summary>Waits for <paramref name="acquisition"/>, asserts that it was granted, and disposes the lease.</summary>
    private static async Task AssertGrantedAsync(Task<RateLimitLease> acquisition)
    {
        using var lease = await acquisition.WaitAsync(Safety);
        Assert.True(lease.IsAcquired);
    }
}
