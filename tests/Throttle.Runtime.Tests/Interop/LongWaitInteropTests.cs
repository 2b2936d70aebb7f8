using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Interop;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Interop;

/// <summary>The adapters on very slow limits: waits beyond one timer, and RetryAfter beyond <see cref="TimeSpan.MaxValue"/>.</summary>
public sealed class LongWaitInteropTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);
    private readonly TestClock _clock = new();

    [Fact]
    public async Task AcquireAsync_with_no_bound_waits_beyond_one_timer_and_is_granted()
    {
        const double period = 1e8;
        using var rateLimiter = new TokenBucketLimiter(1, period, storage: new MemoryStorage(100, _clock)).AsRateLimiter("k", Timeout.InfiniteTimeSpan);
        using var first = await rateLimiter.AcquireAsync(1);
        Assert.True(first.IsAcquired);

        var waiting = rateLimiter.AcquireAsync(1).AsTask();
        Assert.False(waiting.IsCompleted);

        _clock.Advance(TimeSpan.FromSeconds(period - 1));
        Assert.False(waiting.IsCompleted);

        _clock.Advance(TimeSpan.FromSeconds(2));
        using var lease = await waiting.WaitAsync(Safety);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public void AttemptAcquire_of_zero_on_a_period_beyond_TimeSpan_reports_the_longest_RetryAfter()
    {
        using var rateLimiter = new TokenBucketLimiter(1, 1e13, storage: new MemoryStorage(100, _clock)).AsRateLimiter("k");
        using var first = rateLimiter.AttemptAcquire(1);
        Assert.True(first.IsAcquired);

        using var probe = rateLimiter.AttemptAcquire(0);
        Assert.False(probe.IsAcquired);
        Assert.True(probe.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.MaxValue, retryAfter);
    }
}
