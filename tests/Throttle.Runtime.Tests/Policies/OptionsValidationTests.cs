using System;
using System.Linq;
using Throttle.Infrastructure;
using Throttle.Limiters;
using Throttle.Policies;
using Xunit;

namespace Throttle.Tests.Policies;

/// <summary>
/// The options types of src/Throttle.Runtime/Policies on their own: the attributes take their defaults from them,
/// each bound is inclusive where documented, and a site throws the first problem naming the option. The generator side
/// of the same table is tests/Throttle.Generator.Tests/Parsing/OptionAgreementTests.cs.
/// </summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public void Attributes_DefaultToTheOptions()
    {
        var rateLimit = new RateLimitAttribute(1);
        var rateOptions = new RateLimitOptions();
        Assert.Equal((rateOptions.Per, rateOptions.Burst, rateOptions.Strategy, rateOptions.MaxWaitSeconds), (rateLimit.Per, rateLimit.Burst, rateLimit.Strategy, rateLimit.MaxWaitSeconds));

        var queued = new QueuedAttribute();
        Assert.Equal((new QueuedOptions().Workers, new QueuedOptions().MaxSize), (queued.Workers, queued.MaxSize));

        var breaker = new CircuitBreakerAttribute();
        Assert.Equal((new CircuitBreakerOptions().FailureThreshold, new CircuitBreakerOptions().BreakSeconds), (breaker.FailureThreshold, breaker.BreakSeconds));

        var retry = new RetryAttribute();
        var retryOptions = new RetryOptions();
        Assert.Equal(
            (retryOptions.MaxRetries, retryOptions.BaseDelaySeconds, retryOptions.MaxDelaySeconds, retryOptions.ExponentialBase, retryOptions.Jitter),
            (retry.MaxRetries, retry.BaseDelaySeconds, retry.MaxDelaySeconds, retry.ExponentialBase, retry.Jitter));

        var semaphore = new DistributedSemaphoreAttribute("k", 1);
        var semaphoreOptions = new DistributedSemaphoreOptions();
        Assert.Equal(
            (semaphoreOptions.AcquireTimeoutSeconds, semaphoreOptions.LeaseSeconds, semaphoreOptions.AcquireSleepDelaySeconds),
            (semaphore.AcquireTimeoutSeconds, semaphore.LeaseSeconds, semaphore.AcquireSleepDelaySeconds));
    }

    [Fact]
    public void Defaults_AreValid_ExceptTheRequiredValues()
    {
        Assert.Empty(new QueuedOptions().Validate());
        Assert.Empty(new CircuitBreakerOptions().Validate());
        Assert.Empty(new RetryOptions().Validate());
        Assert.Equal(["Rate"], new RateLimitOptions().Validate().Select(p => p.Option));
        Assert.Empty(new RateLimitOptions { Limiter = "api" }.Validate());
        Assert.Equal(["Key", "Value"], new DistributedSemaphoreOptions().Validate().Select(p => p.Option));
    }

    [Theory]
    [InlineData("LeaseSeconds", 0.03, null)]
    [InlineData("LeaseSeconds", 0.0299, "LeaseSeconds must be a finite number of at least 0.03, but is 0.0299")]
    [InlineData("LeaseSeconds", 4294967.294, null)]
    [InlineData("LeaseSeconds", 4294968, "LeaseSeconds must be at most 4294967.294, but is 4294968")]
    [InlineData("AcquireTimeoutSeconds", 0, "AcquireTimeoutSeconds must be positive or double.PositiveInfinity, but is 0")]
    [InlineData("AcquireTimeoutSeconds", double.PositiveInfinity, null)]
    [InlineData("AcquireSleepDelaySeconds", double.NaN, "AcquireSleepDelaySeconds must be a positive, finite number, but is NaN")]
    public void Semaphore_Bounds(string option, double value, string? message)
    {
        var options = new DistributedSemaphoreOptions { Key = "k", Value = 1 };
        typeof(DistributedSemaphoreOptions).GetProperty(option)!.SetValue(options, value);
        AssertOutcome(options.Validate(), () => new DistributedSemaphoreSite("id", options), option, message);
    }

    [Theory]
    [InlineData("Per", 1e-7, null)]
    [InlineData("Per", 9e-8, "Per must be at least 1E-07, but is 9E-08")]
    [InlineData("Per", 922337203685, null)]
    [InlineData("Per", 1e12, "Per must be at most 922337203685, but is 1000000000000")]
    [InlineData("Burst", 0, null)]
    [InlineData("Burst", 1, null)]
    [InlineData("Burst", 0.5, "Each call takes one token, but the bucket holds only 0.5; set Burst to 1 or more")]
    [InlineData("Rate", 0.5, "Each call takes one token, but the bucket holds only 0.5; set Burst to 1 or more")]
    [InlineData("Rate", 1, null)]
    [InlineData("MaxWaitSeconds", 0, null)]
    [InlineData("MaxWaitSeconds", -0.001, "MaxWaitSeconds must be zero, positive or double.PositiveInfinity, but is -0.001")]
    public void RateLimit_Bounds(string option, double value, string? message)
    {
        var options = new RateLimitOptions { Rate = 5 };
        typeof(RateLimitOptions).GetProperty(option)!.SetValue(options, value);
        AssertOutcome(options.Validate(), () => new RateLimitSite("id", options), option, message);
    }

    [Fact]
    public void RateLimit_BurstEqualToRate_IsTheRate() =>
        Assert.Equal(7, new RateLimitSite("id", new RateLimitOptions { Rate = 7, Burst = RateLimitOptions.BurstEqualToRate }).Burst);

    [Fact]
    public void RateLimit_UnknownStrategy_And_BurstOnSlidingWindow()
    {
        var unknown = new RateLimitOptions { Rate = 5, Strategy = (RateLimitStrategy)7 };
        AssertOutcome(unknown.Validate(), () => new RateLimitSite("id", unknown), "Strategy", "(RateLimitStrategy)7 is not a RateLimitStrategy; use TokenBucket, SlidingWindow or LeakyBucket");
        var sliding = new RateLimitOptions { Rate = 5, Burst = 10, Strategy = RateLimitStrategy.SlidingWindow };
        Assert.Equal("THR108", Assert.Single(sliding.Validate()).DiagnosticId);
        Assert.Empty(new RateLimitOptions { Rate = 5, Strategy = RateLimitStrategy.SlidingWindow }.Validate());
    }

    [Theory]
    [InlineData("MaxRetries", 0, null)]
    [InlineData("MaxRetries", -1, "MaxRetries must be at least 0, but is -1")]
    public void Retry_IntBounds(string option, int value, string? message)
    {
        var options = new RetryOptions();
        typeof(RetryOptions).GetProperty(option)!.SetValue(options, value);
        AssertOutcome(options.Validate(), () => new ResilienceSite("id", null, options), option, message);
    }

    [Theory]
    [InlineData("ExponentialBase", 1, null)]
    [InlineData("ExponentialBase", 0.999, "ExponentialBase must be a finite number of at least 1, but is 0.999")]
    [InlineData("MaxDelaySeconds", 4294967.294, null)]
    [InlineData("MaxDelaySeconds", 4294967.295, "MaxDelaySeconds must be at most 4294967.294, but is 4294967.295")]
    [InlineData("BaseDelaySeconds", double.NegativeInfinity, "BaseDelaySeconds must be a positive, finite number, but is -Infinity")]
    public void Retry_Bounds(string option, double value, string? message)
    {
        var options = new RetryOptions();
        typeof(RetryOptions).GetProperty(option)!.SetValue(options, value);
        AssertOutcome(options.Validate(), () => new ResilienceSite("id", null, options), option, message);
    }

    [Theory]
    [InlineData(922337203685, null)]
    [InlineData(1e12, "BreakSeconds must be at most 922337203685, but is 1000000000000")]
    public void Breaker_LongestBreak_FitsATimeSpan(double seconds, string? message)
    {
        var options = new CircuitBreakerOptions { BreakSeconds = seconds };
        AssertOutcome(options.Validate(), () => new ResilienceSite("id", options, null), "BreakSeconds", message);
    }

    [Theory]
    [InlineData(0, "Workers must be at least 1, but is 0")]
    [InlineData(1, null)]
    public void Queued_Workers(int workers, string? message)
    {
        var options = new QueuedOptions { Workers = workers };
        AssertOutcome(options.Validate(), () => new QueuedSite("id", options), "Workers", message);
    }

    [Fact]
    public void BlankNames_AreArgumentExceptions_NotRangeErrors()
    {
        var error = Assert.Throws<ArgumentException>(() => new QueuedSite("id", new QueuedOptions { Queue = " " }));
        Assert.Equal("Queue", error.ParamName);
        Assert.Equal("Queue must not be empty; remove it or give it a value (Parameter 'Queue')", error.Message);
        Assert.Equal("THR107", Assert.Single(new CircuitBreakerOptions { Name = "" }.Validate()).DiagnosticId);
    }

    [Fact]
    public void Limiters_UseTheSameWording()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucketLimiter(0));
        Assert.Equal("rate must be a positive, finite number, but is 0 (Parameter 'rate')", error.Message);
    }

    [Fact]
    public void Sites_KeepACopy()
    {
        var retry = new RetryOptions { MaxRetries = 2 };
        var site = new ResilienceSite("id", null, retry);
        retry.MaxRetries = -5;
        Assert.Equal(2, site.Retry!.MaxRetries);
    }

    private static void AssertOutcome(System.Collections.Generic.IReadOnlyList<OptionProblem> problems, Func<object> construct, string option, string? message)
    {
        if (message is null)
        {
            Assert.Empty(problems);
            Assert.NotNull(construct());
            return;
        }

        var problem = Assert.Single(problems);
        Assert.Equal((option, message), (problem.Option, problem.Message));
        var error = Assert.ThrowsAny<ArgumentException>(construct);
        Assert.Equal(option, error.ParamName);
        Assert.Equal($"{message} (Parameter '{option}')", error.Message);
    }
}
