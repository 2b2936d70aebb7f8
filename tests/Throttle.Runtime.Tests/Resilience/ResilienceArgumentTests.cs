using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Infrastructure;
using Throttle.Policies;
using Throttle.Resilience;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>Bad settings fail at construction (sites) or at the call (Backoff) with an argument exception naming the parameter.</summary>
public sealed class ResilienceArgumentTests
{
    private static readonly Func<CancellationToken, Task<int>> Work = _ => Task.FromResult(1);

    private static ResilienceSite Breaker(CircuitBreakerOptions options) => new("Ns.T.M()", options, null);

    private static ResilienceSite Retry(RetryOptions options) => new("Ns.T.M()", null, options);

    [Fact]
    public void Site_NeedsAnIdAndAtLeastOnePolicy()
    {
        Assert.Equal("id", Assert.ThrowsAny<ArgumentException>(() => new ResilienceSite(null!, new CircuitBreakerOptions(), null)).ParamName);
        Assert.Equal("id", Assert.ThrowsAny<ArgumentException>(() => new ResilienceSite("", new CircuitBreakerOptions(), null)).ParamName);
        Assert.Equal("circuitBreaker", Assert.Throws<ArgumentException>(() => new ResilienceSite("Ns.T.M()", null, null)).ParamName);
    }

    [Fact]
    public void Site_KeepsValidSettings_AndDefaultsMatchTheAttributes()
    {
        var site = new ResilienceSite("Ns.T.M()", new CircuitBreakerOptions(), new RetryOptions());
        Assert.Equal(5, site.CircuitBreaker!.FailureThreshold);
        Assert.Equal(60, site.CircuitBreaker.BreakSeconds);
        Assert.Equal(5, site.Retry!.MaxRetries);
        Assert.Equal(1, site.Retry.BaseDelaySeconds);
        Assert.Equal(60, site.Retry.MaxDelaySeconds);
        Assert.Equal(2, site.Retry.ExponentialBase);
        Assert.True(site.Retry.Jitter);
        Assert.Equal(new CircuitBreakerAttribute().FailureThreshold, site.CircuitBreaker.FailureThreshold);
        Assert.Equal(new RetryAttribute().MaxRetries, site.Retry.MaxRetries);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Breaker_ThresholdBelowOne(int threshold) =>
        Assert.Equal("FailureThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => Breaker(new() { FailureThreshold = threshold })).ParamName);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e300)]
    public void Breaker_BreakNotPositiveOrNotFinite(double seconds) =>
        Assert.Equal("BreakSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => Breaker(new() { BreakSeconds = seconds })).ParamName);

    [Fact]
    public void Breaker_EmptyName() =>
        Assert.Equal("Name", Assert.Throws<ArgumentException>(() => Breaker(new() { Name = "" })).ParamName);

    [Fact]
    public void Breaker_ShortBreaksAreAllowed() =>
        Assert.Equal(0.001, Breaker(new() { BreakSeconds = 0.001 }).CircuitBreaker!.BreakSeconds);

    [Fact]
    public void Retry_NegativeRetries() =>
        Assert.Equal("MaxRetries", Assert.Throws<ArgumentOutOfRangeException>(() => Retry(new() { MaxRetries = -1 })).ParamName);

    [Theory]
    [InlineData(0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Retry_BaseDelayNotPositiveOrNotFinite(double seconds) =>
        Assert.Equal("BaseDelaySeconds", Assert.Throws<ArgumentOutOfRangeException>(() => Retry(new() { BaseDelaySeconds = seconds })).ParamName);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(5_000_000)]
    public void Retry_MaxDelayNotPositiveOrBeyondATimer(double seconds) =>
        Assert.Equal("MaxDelaySeconds", Assert.Throws<ArgumentOutOfRangeException>(() => Retry(new() { MaxDelaySeconds = seconds })).ParamName);

    [Theory]
    [InlineData(0.99)]
    [InlineData(0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Retry_ExponentialBaseBelowOneOrNotFinite(double value) =>
        Assert.Equal("ExponentialBase", Assert.Throws<ArgumentOutOfRangeException>(() => Retry(new() { ExponentialBase = value })).ParamName);

    [Fact]
    public void Retry_EdgeValuesAreAllowed()
    {
        var site = Retry(new() { MaxRetries = 0, ExponentialBase = 1, MaxDelaySeconds = RetryOptions.MaxDelayLimitSeconds });
        Assert.Equal(0, site.Retry!.MaxRetries);
    }

    [Fact]
    public async Task Backoff_NullFunctionOrPredicate()
    {
        Assert.Equal("func", (await Assert.ThrowsAsync<ArgumentNullException>(() => Backoff.ExecuteAsync<int>(null!))).ParamName);
        Assert.Equal("func", (await Assert.ThrowsAsync<ArgumentNullException>(() => Backoff.ExecuteAsync(null!))).ParamName);
        Assert.Equal("shouldRetry", (await Assert.ThrowsAsync<ArgumentNullException>(() => Backoff.ExecuteAsync(Work, (Func<Exception, bool>)null!))).ParamName);
    }

    [Fact]
    public async Task Backoff_OutOfRangeNumbers()
    {
        Assert.Equal("maxRetries", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Backoff.ExecuteAsync(Work, maxRetries: -1))).ParamName);
        Assert.Equal("baseDelay", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Backoff.ExecuteAsync(Work, baseDelay: TimeSpan.Zero))).ParamName);
        Assert.Equal("baseDelay", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Backoff.ExecuteAsync(Work, baseDelay: TimeSpan.FromSeconds(-1)))).ParamName);
        Assert.Equal("maxDelay", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Backoff.ExecuteAsync(Work, maxDelay: TimeSpan.Zero))).ParamName);
        Assert.Equal("maxDelay", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Backoff.ExecuteAsync(Work, maxDelay: TimeSpan.FromDays(60)))).ParamName);
        Assert.Equal("exponentialBase", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Backoff.ExecuteAsync(Work, exponentialBase: 0.5))).ParamName);
        Assert.Equal("exponentialBase", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Backoff.ExecuteAsync(Work, exponentialBase: double.NaN))).ParamName);
    }

    [Fact]
    public async Task Backoff_ExceptionListHoldsANonExceptionTypeOrNull()
    {
        Assert.Equal("exceptions", (await Assert.ThrowsAsync<ArgumentException>(() => Backoff.ExecuteAsync(Work, exceptions: new[] { typeof(string) }))).ParamName);
        Assert.Equal("exceptions", (await Assert.ThrowsAsync<ArgumentException>(() => Backoff.ExecuteAsync(Work, exceptions: new Type[] { null! }))).ParamName);
    }
}
