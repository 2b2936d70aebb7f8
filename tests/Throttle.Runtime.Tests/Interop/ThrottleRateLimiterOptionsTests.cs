using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Throttle.Interop;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Interop;

public sealed class ThrottleRateLimiterOptionsTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);
    private readonly TestClock _clock = new();

    private TokenBucketLimiter Bucket() => new(1, storage: new MemoryStorage(100, _clock));

    [Theory]
    [InlineData(-1, 1.0, "QueueLimit")]
    [InlineData(1, 0.0, "MaxWait")]
    [InlineData(1, -2.0, "MaxWait")]
    public void Out_of_range_options_throw_naming_the_option(int queueLimit, double maxWaitSeconds, string option)
    {
        var options = new ThrottleRateLimiterOptions { QueueLimit = queueLimit, MaxWait = TimeSpan.FromSeconds(maxWaitSeconds) };
        Assert.Equal(option, Assert.ThrowsAny<ArgumentException>(() => Bucket().AsRateLimiter("k", options)).ParamName);
        Assert.Equal(option, Assert.ThrowsAny<ArgumentException>(() => Bucket().AsPartitionedRateLimiter(options)).ParamName);
    }

    [Fact]
    public void An_unknown_queue_order_throws()
    {
        var options = new ThrottleRateLimiterOptions { QueueProcessingOrder = (QueueProcessingOrder)7 };
        Assert.Equal("QueueProcessingOrder", Assert.Throws<ArgumentOutOfRangeException>(() => Bucket().AsRateLimiter("k", options)).ParamName);
    }

    [Fact]
    public void Defaults_never_wait_and_order_oldest_first()
    {
        var options = new ThrottleRateLimiterOptions();
        Assert.Equal((0, QueueProcessingOrder.OldestFirst, Timeout.InfiniteTimeSpan), (options.QueueLimit, options.QueueProcessingOrder, options.MaxWait));
    }

    [Fact]
    public async Task Changing_the_options_after_creating_a_view_changes_nothing()
    {
        var options = new ThrottleRateLimiterOptions { QueueLimit = 0 };
        using var limiter = Bucket().AsRateLimiter("k", options);
        options.QueueLimit = 10;
        using var held = await limiter.AcquireAsync(1);
        using var refused = await limiter.AcquireAsync(1);
        Assert.False(refused.IsAcquired);
    }

    [Fact]
    public async Task A_queued_acquisition_fails_with_RetryAfter_once_MaxWait_has_passed()
    {
        var bucket = new TokenBucketLimiter(1, 10, storage: new MemoryStorage(100, _clock)); // one permit per 10 s
        using var limiter = bucket.AsRateLimiter("k", new ThrottleRateLimiterOptions { QueueLimit = 2, MaxWait = TimeSpan.FromSeconds(15) });
        using var held = await limiter.AcquireAsync(1);
        var first = limiter.AcquireAsync(1).AsTask();  // served after 10 s
        var second = limiter.AcquireAsync(1).AsTask(); // would need 20 s: more than it waits

        _clock.Advance(TimeSpan.FromSeconds(10));
        using (var lease = await first.WaitAsync(Safety))
        {
            Assert.True(lease.IsAcquired);
        }

        using var expired = await second.WaitAsync(Safety);
        Assert.False(expired.IsAcquired);
        Assert.True(expired.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(10), retryAfter);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);
    }
}
