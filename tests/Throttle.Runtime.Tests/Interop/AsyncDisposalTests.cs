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

/// <summary><c>DisposeAsync</c> on the adapters has the effect of <c>Dispose</c>: waiters end with a failed lease, no more grants.</summary>
public sealed class AsyncDisposalTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);
    private readonly TestClock _clock = new();

    private TokenBucketLimiter Bucket() => new(1, storage: new MemoryStorage(100, _clock));

    [Fact]
    public async Task DisposeAsync_on_AsRateLimiter_fails_the_waiter_and_refuses_further_acquires()
    {
        var rateLimiter = Bucket().AsRateLimiter("k", Timeout.InfiniteTimeSpan);
        using var held = await rateLimiter.AcquireAsync(1);
        var waiting = rateLimiter.AcquireAsync(1).AsTask();
        Assert.False(waiting.IsCompleted);

        await rateLimiter.DisposeAsync();

        using var ended = await waiting.WaitAsync(Safety);
        Assert.False(ended.IsAcquired);
        _clock.Advance(TimeSpan.FromSeconds(10)); // permits are back in the limiter, but not through a disposed view
        Assert.Throws<ObjectDisposedException>(() => rateLimiter.AttemptAcquire(1));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => rateLimiter.AcquireAsync(1).AsTask());
    }

    [Fact]
    public async Task DisposeAsync_on_AsPartitionedRateLimiter_fails_the_waiter_and_refuses_further_acquires()
    {
        var rateLimiter = Bucket().AsPartitionedRateLimiter(Timeout.InfiniteTimeSpan);
        using var held = await rateLimiter.AcquireAsync("a", 1);
        var waiting = rateLimiter.AcquireAsync("a", 1).AsTask();
        Assert.False(waiting.IsCompleted);

        await rateLimiter.DisposeAsync();

        using var ended = await waiting.WaitAsync(Safety);
        Assert.False(ended.IsAcquired);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Throws<ObjectDisposedException>(() => rateLimiter.AttemptAcquire("a", 1));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => rateLimiter.AcquireAsync("b", 1).AsTask());
    }
}
