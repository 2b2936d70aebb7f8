using System;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Storage;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Limiters;

public sealed class TokenBucketLimiterTests
{
    private static (TestClock Clock, TokenBucketLimiter Limiter) Create(double rate, double per = 1, double? burst = null, string scope = "default")
    {
        var clock = new TestClock();
        var limiter = new TokenBucketLimiter(rate, per, burst, new MemoryStorage(1000, clock), scope);
        return (clock, limiter);
    }

    private static async Task<int> DrainAsync(ThrottleLimiter limiter, string key, int max = 10_000)
    {
        var taken = 0;
        while (taken < max && await limiter.TryAcquireAsync(key))
        {
            taken++;
        }

        return taken;
    }

    [Fact]
    public async Task StartsFullAtBurst_TakesExactlyBurstThenRejects()
    {
        var (_, limiter) = Create(rate: 2, burst: 7);

        var stats = await limiter.GetStatsAsync("k");
        Assert.Equal(7, stats.AvailableTokens);

        Assert.Equal(7, await DrainAsync(limiter, "k"));
        Assert.False(await limiter.TryAcquireAsync("k"));
    }

    [Fact]
    public async Task BurstDefaultsToRate()
    {
        var (_, limiter) = Create(rate: 5);

        Assert.Equal(5, limiter.Burst);
        Assert.Equal(5, limiter.Capacity);
        Assert.Equal(5, await DrainAsync(limiter, "k"));
    }

    [Fact]
    public async Task Refill_TenPerSecond_OneTokenPerHundredMilliseconds()
    {
        var (clock, limiter) = Create(rate: 10);
        Assert.Equal(10, await DrainAsync(limiter, "k"));

        clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.False(await limiter.TryAcquireAsync("k"));

        clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.True(await limiter.TryAcquireAsync("k"));
        Assert.False(await limiter.TryAcquireAsync("k"));

        clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(3, await DrainAsync(limiter, "k"));
    }

    [Fact]
    public async Task Refill_FractionalTokensAccumulate()
    {
        var (clock, limiter) = Create(rate: 1, per: 3);
        Assert.True(await limiter.TryAcquireAsync("k"));
        Assert.Equal(0, (await limiter.GetStatsAsync("k")).AvailableTokens, 9);

        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(0.5, (await limiter.GetStatsAsync("k")).AvailableTokens, 9);
        Assert.False(await limiter.TryAcquireAsync("k"));

        // The rejected attempt brought the bucket up to date; the half token stays and keeps accumulating.
        Assert.Equal(0.5, (await limiter.GetStatsAsync("k")).AvailableTokens, 9);
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(1, (await limiter.GetStatsAsync("k")).AvailableTokens, 9);
        Assert.True(await limiter.TryAcquireAsync("k"));
        Assert.False(await limiter.TryAcquireAsync("k"));
    }

    [Fact]
    public async Task Refill_CappedAtBurstAfterLongIdle()
    {
        var (clock, limiter) = Create(rate: 10, burst: 4);
        Assert.Equal(4, await DrainAsync(limiter, "k"));

        clock.Advance(TimeSpan.FromHours(5));
        Assert.Equal(4, (await limiter.GetStatsAsync("k")).AvailableTokens);
        Assert.Equal(4, await DrainAsync(limiter, "k"));
    }

    [Fact]
    public async Task RetryAfter_IsMissingTokensOverRate()
    {
        var (clock, limiter) = Create(rate: 10);
        Assert.Equal(10, await DrainAsync(limiter, "k"));

        var decision = await limiter.AttemptAcquireAsync("k");
        Assert.False(decision.IsAcquired);
        Assert.Equal(TimeSpan.FromMilliseconds(100), decision.RetryAfter);

        decision = await limiter.AttemptAcquireAsync("k", 4);
        Assert.Equal(TimeSpan.FromMilliseconds(400), decision.RetryAfter);

        clock.Advance(TimeSpan.FromMilliseconds(25));
        decision = await limiter.AttemptAcquireAsync("k");
        Assert.Equal(TimeSpan.FromMilliseconds(75), decision.RetryAfter);

        // Waiting exactly RetryAfter is enough.
        clock.Advance(decision.RetryAfter);
        Assert.True((await limiter.AttemptAcquireAsync("k")).IsAcquired);
    }

    [Fact]
    public async Task RetryAfter_SlowRate()
    {
        var (clock, limiter) = Create(rate: 1, per: 3);
        Assert.True(await limiter.TryAcquireAsync("k"));

        Assert.Equal(TimeSpan.FromSeconds(3), (await limiter.AttemptAcquireAsync("k")).RetryAfter);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(2), (await limiter.AttemptAcquireAsync("k")).RetryAfter);
    }

    [Fact]
    public async Task RetryAfter_IsRoundedUpToAWholeTick()
    {
        // 3 tokens per second: one token takes 1/3 s = 3,333,333.33 ticks, so the delay is 3,333,334 ticks.
        var (clock, limiter) = Create(rate: 3, burst: 1);
        Assert.True(await limiter.TryAcquireAsync("k"));

        var decision = await limiter.AttemptAcquireAsync("k");
        Assert.Equal(TimeSpan.FromTicks(3_333_334), decision.RetryAfter);

        clock.Advance(decision.RetryAfter - TimeSpan.FromTicks(1));
        Assert.False(await limiter.TryAcquireAsync("k"));
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(await limiter.TryAcquireAsync("k"));
    }

    [Fact]
    public async Task RejectedDecision_HasZeroRetryAfterOnlyWhenAcquired()
    {
        var (_, limiter) = Create(rate: 1);
        var acquired = await limiter.AttemptAcquireAsync("k");
        Assert.True(acquired.IsAcquired);
        Assert.Equal(TimeSpan.Zero, acquired.RetryAfter);

        var rejected = await limiter.AttemptAcquireAsync("k");
        Assert.False(rejected.IsAcquired);
        Assert.True(rejected.RetryAfter > TimeSpan.Zero);
    }

    [Fact]
    public async Task MultiTokenRequests()
    {
        var (clock, limiter) = Create(rate: 10);
        Assert.True(await limiter.TryAcquireAsync("k", 6));
        Assert.False(await limiter.TryAcquireAsync("k", 5));
        Assert.Equal(4, (await limiter.GetStatsAsync("k")).AvailableTokens, 9);
        Assert.True(await limiter.TryAcquireAsync("k", 4));
        Assert.False(await limiter.TryAcquireAsync("k", 0.5));

        clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(await limiter.TryAcquireAsync("k", 2.5));
        Assert.False(await limiter.TryAcquireAsync("k", 0.01));

        // A whole-burst request succeeds on a full bucket.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await limiter.TryAcquireAsync("k", 10));
    }

    [Fact]
    public async Task Release_ReturnsTokens_NeverAboveBurst()
    {
        var (_, limiter) = Create(rate: 1, burst: 5);
        Assert.True(await limiter.TryAcquireAsync("k", 4));
        Assert.Equal(1, (await limiter.GetStatsAsync("k")).AvailableTokens, 9);

        await limiter.ReleaseAsync("k", 2);
        Assert.Equal(3, (await limiter.GetStatsAsync("k")).AvailableTokens, 9);

        await limiter.ReleaseAsync("k", 100);
        Assert.Equal(5, (await limiter.GetStatsAsync("k")).AvailableTokens);
        Assert.Equal(5, await DrainAsync(limiter, "k"));
    }

    [Fact]
    public async Task Release_UnknownKey_StaysFullAndCreatesNoState()
    {
        var (_, limiter) = Create(rate: 1, burst: 3);
        await limiter.ReleaseAsync("k", 2);

        Assert.Equal(0, ((MemoryStorage)limiter.Storage).Count);
        Assert.Null((await limiter.GetStatsAsync("k")).LastUpdate);
        Assert.Equal(3, await DrainAsync(limiter, "k"));
    }

    [Fact]
    public async Task GetStats_ReportsStateAndLastUpdate()
    {
        var (clock, limiter) = Create(rate: 6, per: 2, burst: 9);

        var unknown = await limiter.GetStatsAsync("k");
        Assert.Equal(new LimiterStats(9, 9, 3, null), unknown);

        var firstUse = clock.GetUtcNow();
        Assert.True(await limiter.TryAcquireAsync("k", 9));
        clock.Advance(TimeSpan.FromMilliseconds(500));

        var stats = await limiter.GetStatsAsync("k");
        Assert.Equal(1.5, stats.AvailableTokens, 9);
        Assert.Equal(9, stats.MaxTokens);
        Assert.Equal(3, stats.RefillRate);
        Assert.Equal(firstUse, stats.LastUpdate);

        // Reading does not change the state.
        Assert.Equal(firstUse, (await limiter.GetStatsAsync("k")).LastUpdate);

        // An attempt (even a rejected one) refills, moving LastUpdate to that moment.
        clock.Advance(TimeSpan.FromTicks(1_234_567));
        var attemptTime = clock.GetUtcNow();
        Assert.False(await limiter.TryAcquireAsync("k", 5));
        clock.Advance(TimeSpan.FromTicks(7_654_321));
        stats = await limiter.GetStatsAsync("k");
        Assert.Equal(attemptTime, stats.LastUpdate);
    }

    [Fact]
    public async Task GetStats_LastUpdateIsExactForOddTickCounts()
    {
        var (clock, limiter) = Create(rate: 1, per: 1000);
        for (var ticks = 1L; ticks < 100_000_000L; ticks = (ticks * 7) + 3)
        {
            var attemptTime = clock.GetUtcNow();
            await limiter.TryAcquireAsync("k");
            clock.Advance(TimeSpan.FromTicks(ticks));
            Assert.Equal(attemptTime, (await limiter.GetStatsAsync("k")).LastUpdate);
        }
    }

    [Fact]
    public async Task Keys_AreIsolated()
    {
        var (_, limiter) = Create(rate: 3);
        Assert.Equal(3, await DrainAsync(limiter, "a"));
        Assert.False(await limiter.TryAcquireAsync("a"));

        Assert.Equal(3, (await limiter.GetStatsAsync("b")).AvailableTokens);
        Assert.Equal(3, await DrainAsync(limiter, "b"));

        // Keys compare ordinally: case matters.
        Assert.Equal(3, await DrainAsync(limiter, "A"));
    }

    [Fact]
    public async Task SameScopeOnSameStorage_SharesBuckets_DifferentScopeDoesNot()
    {
        var clock = new TestClock();
        var storage = new MemoryStorage(1000, clock);
        var first = new TokenBucketLimiter(4, storage: storage, scope: "api");
        var second = new TokenBucketLimiter(4, storage: storage, scope: "api");
        var other = new TokenBucketLimiter(4, storage: storage, scope: "other");

        Assert.True(await first.TryAcquireAsync("k", 3));
        Assert.Equal(1, (await second.GetStatsAsync("k")).AvailableTokens, 9);
        Assert.True(await second.TryAcquireAsync("k"));
        Assert.False(await first.TryAcquireAsync("k"));

        Assert.Equal(4, await DrainAsync(other, "k"));
    }

    [Fact]
    public async Task SameScopeOnDifferentStorage_DoesNotShare()
    {
        var clock = new TestClock();
        var first = new TokenBucketLimiter(2, storage: new MemoryStorage(10, clock), scope: "api");
        var second = new TokenBucketLimiter(2, storage: new MemoryStorage(10, clock), scope: "api");

        Assert.Equal(2, await DrainAsync(first, "k"));
        Assert.Equal(2, await DrainAsync(second, "k"));
    }

    [Fact]
    public void Constructor_ExposesSettings()
    {
        var clock = new TestClock();
        var storage = new MemoryStorage(10, clock);
        var limiter = new TokenBucketLimiter(6, 4, 2.5, storage, "s");

        Assert.Equal(6, limiter.Rate);
        Assert.Equal(4, limiter.Per);
        Assert.Equal(2.5, limiter.Burst);
        Assert.Equal(1.5, limiter.RefillRatePerSecond);
        Assert.Same(storage, limiter.Storage);
        Assert.Same(clock, limiter.TimeProvider);
        Assert.Equal("s", limiter.Scope);
    }

    [Fact]
    public void Constructor_WithoutStorage_UsesNewMemoryStorageOnSystemClock()
    {
        var limiter = new TokenBucketLimiter(1);
        Assert.NotNull(limiter.Storage);
        Assert.Equal(MemoryStorage.DefaultMaxSize, ((MemoryStorage)limiter.Storage).MaxSize);
        Assert.Same(TimeProvider.System, limiter.TimeProvider);
        Assert.Equal("default", limiter.Scope);
    }

    [Fact]
    public async Task TryAcquire_WithPermit_CompletesSynchronously()
    {
        var (_, limiter) = Create(rate: 1);
        var pending = limiter.TryAcquireAsync("k");
        Assert.True(pending.IsCompletedSuccessfully);
        Assert.True(await pending);

        pending = limiter.TryAcquireAsync("k");
        Assert.True(pending.IsCompletedSuccessfully);
        Assert.False(await pending);
    }
}
