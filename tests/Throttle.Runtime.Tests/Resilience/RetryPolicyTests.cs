using System;
using Throttle.Policies;
using Throttle.Resilience;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>The delay formula alone: min(base × exponentialBase^attempt, max), times a draw in [0, 1) with jitter.</summary>
public sealed class RetryPolicyTests
{
    private static RetryPolicy Policy(double baseDelay, double maxDelay, double exponentialBase, bool jitter) =>
        RetryPolicy.Create(new RetryOptions { MaxRetries = 3, BaseDelaySeconds = baseDelay, MaxDelaySeconds = maxDelay, ExponentialBase = exponentialBase, Jitter = jitter });

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(5, 32)]
    [InlineData(6, 60)]
    [InlineData(5000, 60)]
    [InlineData(int.MaxValue, 60)]
    public void WithoutJitter(int attempt, double expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), Policy(1, 60, 2, jitter: false).Delay(attempt, static () => throw new InvalidOperationException("no draw without jitter")));

    [Fact]
    public void BaseOne_IsAConstantDelay() =>
        Assert.Equal(TimeSpan.FromSeconds(1.5), Policy(1.5, 60, 1, jitter: false).Delay(40, static () => 0));

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.5, 4)]
    [InlineData(0.75, 6)]
    public void WithJitter_TheDrawScalesTheDelay(double draw, double expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), Policy(1, 60, 2, jitter: true).Delay(3, () => draw));

    [Fact]
    public void DefaultFilter_RetriesEverythingButCancellation()
    {
        var policy = Policy(1, 60, 2, jitter: false);
        Assert.True(policy.ShouldHandle(new InvalidOperationException()));
        Assert.False(policy.ShouldHandle(new OperationCanceledException()));
    }
}
