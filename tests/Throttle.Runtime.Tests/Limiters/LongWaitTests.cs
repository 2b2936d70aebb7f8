using System;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Limiters;

/// <summary>Waits for a permit longer than one timer takes (about 49.7 days) wait in chunks and end when due.</summary>
public sealed class LongWaitTests
{
    private const double Period = 1e8; // about 3.2 years: 1 per 1e8 s, as [RateLimit(1, Per = 1e8)]
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_token_bucket_wait_with_no_bound_waits_the_whole_period_instead_of_throwing()
    {
        var clock = new TestClock();
        var limiter = new TokenBucketLimiter(1, Period, storage: new MemoryStorage(100, clock));
        await limiter.AcquireAsync("k");

        var waiting = limiter.AcquireAsync("k").AsTask();
        Assert.False(waiting.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(Period - 1));
        Assert.False(waiting.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(2));
        await waiting.WaitAsync(Safety);
        Assert.False(await limiter.TryAcquireAsync("k")); // the waiter took the one refilled token
    }

    [Fact]
    public async Task A_leaky_bucket_wait_with_no_bound_waits_the_whole_period_instead_of_throwing()
    {
        var clock = new TestClock();
        var limiter = new LeakyBucketLimiter(1 / Period, 1, new MemoryStorage(100, clock));
        await limiter.AcquireAsync("k");

        var waiting = limiter.AcquireAsync("k").AsTask();
        Assert.False(waiting.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(Period - 1));
        Assert.False(waiting.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(2));
        await waiting.WaitAsync(Safety);
        Assert.False(await limiter.TryAcquireAsync("k"));
    }
}
