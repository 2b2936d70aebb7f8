using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Storage;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Limiters;

public sealed class AdaptiveLimiterTests
{
    private readonly TestClock _clock = new();

    private AdaptiveLimiter Create(double initialRate = 100, double window = 10) =>
        new(initialRate, minRate: 10, maxRate: 200, increaseStep: 5, decreaseFactor: 0.5, errorThreshold: 0.1, window: window,
            storage: new MemoryStorage(100, _clock));

    private static void Report(AdaptiveLimiter limiter, int successes, int errors)
    {
        for (var i = 0; i < successes; i++)
        {
            limiter.ReportSuccess();
        }

        for (var i = 0; i < errors; i++)
        {
            limiter.ReportError();
        }
    }

    [Fact]
    public void HealthyWindow_AddsTheStep()
    {
        var limiter = Create();
        Report(limiter, successes: 95, errors: 5); // 5% errors: below the 10% threshold
        Assert.Equal(100, limiter.CurrentRate);

        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(105, limiter.CurrentRate);
        Assert.Equal(1, limiter.Adjustments);
    }

    [Fact]
    public void UnhealthyWindow_MultipliesByTheFactor()
    {
        var limiter = Create();
        Report(limiter, successes: 8, errors: 2); // 20% errors
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(50, limiter.CurrentRate);
    }

    [Fact]
    public void ErrorRateEqualToTheThreshold_IsHealthy()
    {
        var limiter = Create();
        Report(limiter, successes: 9, errors: 1); // exactly 10%: "greater than" is required to decrease
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(105, limiter.CurrentRate);
    }

    [Fact]
    public void Rate_StaysWithinItsBounds()
    {
        var limiter = Create(initialRate: 15);
        Report(limiter, 0, 1);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(10, limiter.CurrentRate); // 7.5 clamped to the minimum

        var high = Create(initialRate: 198);
        Report(high, 1, 0);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(200, high.CurrentRate); // 203 clamped to the maximum
    }

    [Fact]
    public void ReportsOfTheNextWindow_AreCountedThere()
    {
        var limiter = Create();
        var changes = new List<AdaptiveRateChangedEventArgs>();
        limiter.RateChanged += (_, e) => changes.Add(e);

        Report(limiter, 10, 0);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Report(limiter, 0, 10); // evaluates the first window (healthy), then counts in the second
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(52.5, limiter.CurrentRate);

        Assert.Collection(
            changes,
            first => Assert.Equal((100, 105, 0.0), (first.PreviousRate, first.NewRate, first.ErrorRate)),
            second => Assert.Equal((105, 52.5, 1.0), (second.PreviousRate, second.NewRate, second.ErrorRate)));
    }

    [Fact]
    public void WindowWithoutReports_LeavesTheRate()
    {
        var limiter = Create();
        _clock.Advance(TimeSpan.FromSeconds(35));
        Assert.Equal(100, limiter.CurrentRate);
        Assert.Equal(0, limiter.Adjustments);
    }

    [Fact]
    public void Window_IsNotEvaluatedEarly()
    {
        var limiter = Create();
        Report(limiter, 0, 5);
        _clock.Advance(TimeSpan.FromSeconds(9.999));
        Assert.Equal(100, limiter.CurrentRate);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(50, limiter.CurrentRate);
    }

    [Fact]
    public async Task Admission_FollowsTheCurrentRate()
    {
        var limiter = Create(initialRate: 20);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(await limiter.TryAcquireAsync("k"));
        }

        Assert.False(await limiter.TryAcquireAsync("k"));

        // Errors halve the rate to 10 per second: a second later the bucket holds 10, not 20.
        Report(limiter, 0, 3);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(10, limiter.CurrentRate);
        var admitted = 0;
        while (await limiter.TryAcquireAsync("k"))
        {
            admitted++;
        }

        Assert.Equal(10, admitted);
        var stats = await limiter.GetStatsAsync("k");
        Assert.Equal(10, stats.MaxTokens);
        Assert.Equal(10, stats.RefillRate);
    }

    [Fact]
    public async Task RequestAboveTheCurrentRate_IsRejectedNotThrown()
    {
        var limiter = Create(initialRate: 20);
        Assert.Equal(200, limiter.Capacity);
        var decision = await limiter.AttemptAcquireAsync("k", 50);
        Assert.False(decision.IsAcquired);
        Assert.True(decision.RetryAfter > TimeSpan.Zero);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("tokens", () => limiter.TryAcquireAsync("k", 201).AsTask());
    }

    [Theory]
    [InlineData("initialRate", 5, 10, 100, 1, 0.5, 0.1, 60)]
    [InlineData("initialRate", 101, 10, 100, 1, 0.5, 0.1, 60)]
    [InlineData("minRate", 50, 0, 100, 1, 0.5, 0.1, 60)]
    [InlineData("maxRate", 50, 10, 5, 1, 0.5, 0.1, 60)]
    [InlineData("maxRate", 50, 10, double.PositiveInfinity, 1, 0.5, 0.1, 60)]
    [InlineData("increaseStep", 50, 10, 100, 0, 0.5, 0.1, 60)]
    [InlineData("decreaseFactor", 50, 10, 100, 1, 1, 0.1, 60)]
    [InlineData("decreaseFactor", 50, 10, 100, 1, 0, 0.1, 60)]
    [InlineData("errorThreshold", 50, 10, 100, 1, 0.5, 1.5, 60)]
    [InlineData("errorThreshold", 50, 10, 100, 1, 0.5, double.NaN, 60)]
    [InlineData("window", 50, 10, 100, 1, 0.5, 0.1, 0)]
    [InlineData("window", 50, 10, 100, 1, 0.5, 0.1, double.NaN)]
    public void BadArguments_Throw(
        string parameter, double initial, double min, double max, double step, double factor, double threshold, double window)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveLimiter(initial, min, max, step, factor, threshold, window));
        Assert.Equal(parameter, ex.ParamName);
    }
}
