using System;
using System.Threading.Tasks;
using Throttle.Limiters;
using Xunit;

namespace Throttle.Tests.Limiters;

/// <summary>Bad input to the sliding window and leaky bucket limiters (the token bucket's is in ArgumentValidationTests).</summary>
public sealed class LimiterArgumentTests
{
    [Theory]
    [InlineData(0, 1, "rate")]
    [InlineData(-1, 1, "rate")]
    [InlineData(double.NaN, 1, "rate")]
    [InlineData(double.PositiveInfinity, 1, "rate")]
    [InlineData(1, 0, "per")]
    [InlineData(1, double.NaN, "per")]
    [InlineData(1, double.PositiveInfinity, "per")]
    public void SlidingWindow_BadNumbers_Throw(double rate, double per, string parameter) =>
        Assert.Throws<ArgumentOutOfRangeException>(parameter, () => new SlidingWindowLimiter(rate, per));

    [Theory]
    [InlineData(0, 1, "rate")]
    [InlineData(double.NaN, 1, "rate")]
    [InlineData(double.NegativeInfinity, 1, "rate")]
    [InlineData(1, 0, "capacity")]
    [InlineData(1, -2, "capacity")]
    [InlineData(1, double.PositiveInfinity, "capacity")]
    public void LeakyBucket_BadNumbers_Throw(double rate, double capacity, string parameter) =>
        Assert.Throws<ArgumentOutOfRangeException>(parameter, () => new LeakyBucketLimiter(rate, capacity));

    [Fact]
    public void EmptyScope_Throws()
    {
        Assert.Throws<ArgumentException>("scope", () => new SlidingWindowLimiter(1, scope: ""));
        Assert.Throws<ArgumentNullException>("scope", () => new LeakyBucketLimiter(1, 1, scope: null!));
    }

    [Fact]
    public async Task TokensAboveCapacity_SayTheyCanNeverSucceed()
    {
        ThrottleLimiter[] limiters = [new SlidingWindowLimiter(3), new LeakyBucketLimiter(1, 3)];
        foreach (var limiter in limiters)
        {
            var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>("tokens", () => limiter.TryAcquireAsync("k", 4).AsTask());
            Assert.Contains("never succeed", ex.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>("tokens", () => limiter.TryAcquireAsync("k", double.NaN).AsTask());
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>("tokens", () => limiter.TryAcquireAsync("k", 0).AsTask());
            await Assert.ThrowsAsync<ArgumentException>("key", () => limiter.TryAcquireAsync("", 1).AsTask());
            await Assert.ThrowsAsync<ArgumentNullException>("key", () => limiter.TryAcquireAsync(null!, 1).AsTask());
        }
    }
}
