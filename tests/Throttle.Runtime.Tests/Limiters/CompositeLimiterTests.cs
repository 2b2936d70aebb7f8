using System;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Storage;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Limiters;

public sealed class CompositeLimiterTests
{
    private readonly TestClock _clock = new();

    private MemoryStorage NewStorage() => new(100, _clock);

    [Fact]
    public async Task Passes_OnlyWhenAllPass()
    {
        var perSecond = new TokenBucketLimiter(5, storage: NewStorage());
        var perMinute = new SlidingWindowLimiter(3, per: 60, storage: NewStorage());
        var composite = new CompositeLimiter([perSecond, perMinute]);

        Assert.True(await composite.TryAcquireAsync("k"));
        Assert.True(await composite.TryAcquireAsync("k"));
        Assert.True(await composite.TryAcquireAsync("k"));
        Assert.False(await composite.TryAcquireAsync("k"));
        Assert.Equal(3, composite.Capacity);
    }

    [Fact]
    public async Task Rejection_ConsumesNothing_AndCarriesTheRejectingLimitersRetryAfter()
    {
        var first = new TokenBucketLimiter(10, storage: NewStorage());
        var second = new LeakyBucketLimiter(rate: 1, capacity: 2, storage: NewStorage());
        var composite = new CompositeLimiter([first, second]);

        Assert.True(await composite.TryAcquireAsync("k", 2));
        var rejected = await composite.AttemptAcquireAsync("k", 1);
        Assert.False(rejected.IsAcquired);
        Assert.Equal((await second.AttemptAcquireAsync("k", 1)).RetryAfter, rejected.RetryAfter);

        // The first limiter gave its token back: only the 2 admitted tokens are gone.
        Assert.Equal(8, (await first.GetStatsAsync("k")).AvailableTokens, 9);
    }

    [Fact]
    public async Task Stats_AreTheTightestLimiters()
    {
        var loose = new TokenBucketLimiter(10, storage: NewStorage());
        var tight = new TokenBucketLimiter(3, storage: NewStorage());
        var composite = new CompositeLimiter([loose, tight]);
        await composite.TryAcquireAsync("k", 2);

        var stats = await composite.GetStatsAsync("k");
        Assert.Equal(1, stats.AvailableTokens, 9);
        Assert.Equal(3, stats.MaxTokens);
    }

    [Fact]
    public async Task Release_GoesToEveryLimiter()
    {
        var a = new TokenBucketLimiter(4, storage: NewStorage());
        var b = new SlidingWindowLimiter(4, storage: NewStorage());
        var composite = new CompositeLimiter([a, b]);
        await composite.TryAcquireAsync("k", 3);
        await composite.ReleaseAsync("k", 2);

        Assert.Equal(3, (await a.GetStatsAsync("k")).AvailableTokens, 9);
        Assert.Equal(3, (await b.GetStatsAsync("k")).AvailableTokens, 9);
    }

    [Fact]
    public void BadArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("limiters", () => new CompositeLimiter(null!));
        Assert.Throws<ArgumentException>("limiters", () => new CompositeLimiter([]));
        Assert.Throws<ArgumentException>("limiters", () => new CompositeLimiter([new TokenBucketLimiter(1), null!]));
    }
}
