using System;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Throttle.Interop;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Interop;

/// <summary>The quota metadata of <see cref="ThrottleMetadataNames"/> on the leases of the STRL views (memory, fake clock).</summary>
public sealed class LeaseMetadataTests
{
    private readonly TestClock _clock = new();

    // 4 permits, one back every 0.5 s.
    private RateLimiter View() => new TokenBucketLimiter(2, 1, 4, new MemoryStorage(100, _clock)).AsRateLimiter("k");

    [Fact]
    public void A_granted_lease_carries_limit_remaining_and_reset_but_no_RetryAfter()
    {
        using var limiter = View();
        using var lease = limiter.AttemptAcquire(3);

        Assert.True(lease.IsAcquired);
        Assert.Equal(
            [ThrottleMetadataNames.Limit.Name, ThrottleMetadataNames.Remaining.Name, ThrottleMetadataNames.Reset.Name],
            lease.MetadataNames);
        Assert.True(lease.TryGetMetadata(ThrottleMetadataNames.Limit, out var limit));
        Assert.True(lease.TryGetMetadata(ThrottleMetadataNames.Remaining, out var remaining));
        Assert.True(lease.TryGetMetadata(ThrottleMetadataNames.Reset, out var reset));
        Assert.Equal((4L, 1L, TimeSpan.FromSeconds(1.5)), (limit, remaining, reset));
        Assert.False(lease.TryGetMetadata(ThrottleMetadataNames.RetryAfter, out _));
    }

    [Fact]
    public void A_failed_lease_carries_RetryAfter_and_the_quota()
    {
        using var limiter = View();
        using var taken = limiter.AttemptAcquire(4);
        _clock.Advance(TimeSpan.FromSeconds(0.5));
        using var failed = limiter.AttemptAcquire(3);

        Assert.False(failed.IsAcquired);
        Assert.True(failed.TryGetMetadata(ThrottleMetadataNames.RetryAfter, out var retryAfter));
        Assert.True(failed.TryGetMetadata(ThrottleMetadataNames.Limit, out var limit));
        Assert.True(failed.TryGetMetadata(ThrottleMetadataNames.Remaining, out var remaining));
        Assert.True(failed.TryGetMetadata(ThrottleMetadataNames.Reset, out var reset));
        Assert.Equal((TimeSpan.FromSeconds(1), 4L, 1L, TimeSpan.FromSeconds(1.5)), (retryAfter, limit, remaining, reset));
    }

    [Fact]
    public void Polly_and_ASP_NET_Core_read_RetryAfter_through_STRLs_own_name()
    {
        using var limiter = View();
        using var taken = limiter.AttemptAcquire(4);
        using var failed = limiter.AttemptAcquire(1);
        Assert.Same(MetadataName.RetryAfter, ThrottleMetadataNames.RetryAfter);
        Assert.True(failed.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(0.5), retryAfter);
    }

    [Fact]
    public async Task Partitions_report_their_own_quota()
    {
        using var limiter = new TokenBucketLimiter(2, 1, 4, new MemoryStorage(100, _clock)).AsPartitionedRateLimiter();
        using var a = await limiter.AcquireAsync("a", 3);
        using var b = await limiter.AcquireAsync("b", 1);
        Assert.True(a.TryGetMetadata(ThrottleMetadataNames.Remaining, out var remainingA));
        Assert.True(b.TryGetMetadata(ThrottleMetadataNames.Remaining, out var remainingB));
        Assert.Equal((1L, 3L), (remainingA, remainingB));
    }
}
