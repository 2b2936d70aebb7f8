using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Storage;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Limiters;

public sealed class AcquireAsyncTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    private static (TestClock Clock, TokenBucketLimiter Limiter) Create(double rate, double? burst = null)
    {
        var clock = new TestClock();
        return (clock, new TokenBucketLimiter(rate, 1, burst, new MemoryStorage(100, clock)));
    }

    [Fact]
    public async Task WithPermit_CompletesSynchronously()
    {
        var (clock, limiter) = Create(rate: 2);
        var pending = limiter.AcquireAsync("k");
        Assert.True(pending.IsCompletedSuccessfully);
        await pending;
        Assert.Equal(1, (await limiter.GetStatsAsync("k")).AvailableTokens, 9);
        Assert.Equal(0, clock.TimersCreated);
    }

    [Fact]
    public async Task WithoutPermit_WaitsUntilTimeAdvancesByRetryAfter()
    {
        var (clock, limiter) = Create(rate: 10, burst: 1);
        await limiter.AcquireAsync("k");
        var retryAfter = (await limiter.AttemptAcquireAsync("k")).RetryAfter;
        Assert.Equal(TimeSpan.FromMilliseconds(100), retryAfter);

        var waiting = limiter.AcquireAsync("k").AsTask();
        Assert.False(waiting.IsCompleted);

        clock.Advance(retryAfter - TimeSpan.FromTicks(1));
        Assert.False(waiting.IsCompleted);

        clock.Advance(TimeSpan.FromTicks(1));
        await waiting.WaitAsync(Safety);
        Assert.True(waiting.IsCompletedSuccessfully);

        // The waiter took the refilled token.
        Assert.False(await limiter.TryAcquireAsync("k"));
    }

    [Fact]
    public async Task WithoutPermit_MultiToken_WaitsForAllTokens()
    {
        var (clock, limiter) = Create(rate: 4);
        await limiter.AcquireAsync("k", 4);

        var waiting = limiter.AcquireAsync("k", 3, TimeSpan.FromSeconds(10)).AsTask();
        clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(250));
        await waiting.WaitAsync(Safety);
        Assert.Equal(0, (await limiter.GetStatsAsync("k")).AvailableTokens, 9);
    }

    [Fact]
    public async Task MaxWaitShorterThanRetryAfter_RejectsAtOnce()
    {
        var (clock, limiter) = Create(rate: 10, burst: 1);
        await limiter.AcquireAsync("user-1");

        var pending = limiter.AcquireAsync("user-1", 1, TimeSpan.FromMilliseconds(99));
        Assert.True(pending.IsCompleted);
        var ex = await Assert.ThrowsAsync<RateLimitRejectedException>(() => pending.AsTask());
        Assert.Equal("user-1", ex.Key);
        Assert.Equal(TimeSpan.FromMilliseconds(100), ex.RetryAfter);
        Assert.Contains("user-1", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, clock.TimersCreated);
    }

    [Fact]
    public async Task MaxWaitEqualToRetryAfter_Waits()
    {
        var (clock, limiter) = Create(rate: 10, burst: 1);
        await limiter.AcquireAsync("k");

        var waiting = limiter.AcquireAsync("k", 1, TimeSpan.FromMilliseconds(100)).AsTask();
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await waiting.WaitAsync(Safety);
    }

    [Fact]
    public async Task MaxWaitZero_NeverWaits()
    {
        var (clock, limiter) = Create(rate: 1000, burst: 1);
        var first = limiter.AcquireAsync("k", 1, TimeSpan.Zero);
        Assert.True(first.IsCompletedSuccessfully);

        var second = limiter.AcquireAsync("k", 1, TimeSpan.Zero);
        Assert.True(second.IsCompleted);
        var ex = await Assert.ThrowsAsync<RateLimitRejectedException>(() => second.AsTask());
        Assert.Equal(TimeSpan.FromMilliseconds(1), ex.RetryAfter);
        Assert.Equal(0, clock.TimersCreated);
    }

    [Fact]
    public async Task InfiniteMaxWait_Waits()
    {
        var (clock, limiter) = Create(rate: 1, burst: 1);
        await limiter.AcquireAsync("k");
        var waiting = limiter.AcquireAsync("k", 1, Timeout.InfiniteTimeSpan).AsTask();
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        await waiting.WaitAsync(Safety);
    }

    [Fact]
    public async Task CancelledWhileWaiting_ThrowsAndConsumesNoToken()
    {
        var (clock, limiter) = Create(rate: 10, burst: 1);
        await limiter.AcquireAsync("k");

        using var cts = new CancellationTokenSource();
        var waiting = limiter.AcquireAsync("k", 1, null, cts.Token).AsTask();
        clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.False(waiting.IsCompleted);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Safety));
        Assert.True(waiting.IsCanceled);

        // The token that refills is still there for someone else.
        clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(1, (await limiter.GetStatsAsync("k")).AvailableTokens, 9);
        Assert.True(await limiter.TryAcquireAsync("k"));
    }

    [Fact]
    public async Task PreCancelledToken_IsCanceled_AndConsumesNoToken()
    {
        var (_, limiter) = Create(rate: 3);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var acquire = limiter.AcquireAsync("k", 1, null, cts.Token);
        Assert.True(acquire.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => acquire.AsTask());

        var tryAcquire = limiter.TryAcquireAsync("k", 1, cts.Token);
        Assert.True(tryAcquire.IsCanceled);

        var attempt = limiter.AttemptAcquireAsync("k", 1, cts.Token);
        Assert.True(attempt.IsCanceled);

        Assert.Equal(3, (await limiter.GetStatsAsync("k")).AvailableTokens);
    }

    [Fact]
    public async Task Waiters_AreServedAsTokensRefill()
    {
        var (clock, limiter) = Create(rate: 10, burst: 1);
        await limiter.AcquireAsync("k");

        var first = limiter.AcquireAsync("k").AsTask();
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await first.WaitAsync(Safety);

        var second = limiter.AcquireAsync("k").AsTask();
        Assert.False(second.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await second.WaitAsync(Safety);
    }

    [Fact]
    public async Task TokensTakenByAnotherCallerWhileWaiting_ReEvaluates_AndRejectsPastMaxWait()
    {
        var (clock, limiter) = Create(rate: 10, burst: 2);
        await limiter.AcquireAsync("k", 2);

        // Needs 2 tokens: 200 ms away, within the 250 ms bound.
        var waiting = limiter.AcquireAsync("k", 2, TimeSpan.FromMilliseconds(250)).AsTask();
        Assert.False(waiting.IsCompleted);

        // Another caller takes one of the 1.5 refilled tokens.
        clock.Advance(TimeSpan.FromMilliseconds(150));
        Assert.True(await limiter.TryAcquireAsync("k"));

        // At 200 ms the waiter finds 1 token, needs 100 ms more, but only 50 ms of its bound remain.
        clock.Advance(TimeSpan.FromMilliseconds(50));
        var ex = await Assert.ThrowsAsync<RateLimitRejectedException>(() => waiting.WaitAsync(Safety));
        Assert.Equal(TimeSpan.FromMilliseconds(100), ex.RetryAfter);
        Assert.Equal("k", ex.Key);

        // The failed waiter took nothing.
        Assert.Equal(1, (await limiter.GetStatsAsync("k")).AvailableTokens, 9);
    }

    [Fact]
    public async Task TokensTakenByAnotherCallerWhileWaiting_WaitsAgainWithinMaxWait()
    {
        var (clock, limiter) = Create(rate: 10, burst: 2);
        await limiter.AcquireAsync("k", 2);

        var waiting = limiter.AcquireAsync("k", 2, TimeSpan.FromMilliseconds(300)).AsTask();
        Assert.True(await clock.WaitForTimerAsync()); // the first wait, 200 ms
        clock.Advance(TimeSpan.FromMilliseconds(150));
        Assert.True(await limiter.TryAcquireAsync("k"));

        // At 200 ms the waiter finds 1 token and waits 100 ms more; the clock moves on only once that wait is set (a
        // loaded CI run moved it first, and the waiter then saw its whole bound gone).
        clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.True(await clock.WaitForTimerAsync());
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await waiting.WaitAsync(Safety);
        Assert.Equal(0, (await limiter.GetStatsAsync("k")).AvailableTokens, 9);
    }
}
