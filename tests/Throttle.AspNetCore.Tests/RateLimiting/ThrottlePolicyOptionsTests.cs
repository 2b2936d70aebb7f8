using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Throttle.AspNetCore.TestApp;
using Throttle.Testing;
using Throttle.AspNetCore.RateLimiting;
using Xunit;

namespace Throttle.AspNetCore.Tests.RateLimiting;

public sealed class ThrottlePolicyOptionsTests
{
    [Fact]
    public void Defaults_reject_at_once_without_quota_headers()
    {
        var options = new ThrottlePolicyOptions();

        Assert.Equal(TimeSpan.Zero, options.MaxWait);
        Assert.False(options.IncludeRateLimitHeaders);
        Assert.Equal(ThrottlePolicyOptions.DefaultAnonymousPartition, options.AnonymousPartition);
    }

    [Fact]
    public void A_negative_MaxWait_is_refused_naming_it_and_infinite_is_allowed()
    {
        var options = new ThrottlePolicyOptions();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxWait = TimeSpan.FromSeconds(-1));
        Assert.Equal(nameof(ThrottlePolicyOptions.MaxWait), error.ParamName);
        options.MaxWait = Timeout.InfiniteTimeSpan;
        Assert.Equal(Timeout.InfiniteTimeSpan, options.MaxWait);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void An_empty_AnonymousPartition_is_refused_naming_it(string? value)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new ThrottlePolicyOptions().AnonymousPartition = value!);
        Assert.Equal(nameof(ThrottlePolicyOptions.AnonymousPartition), error.ParamName);
    }

    [Fact]
    public void AddThrottlePolicy_names_the_bad_argument()
    {
        var options = new RateLimiterOptions();

        Assert.Equal("policyName", Assert.ThrowsAny<ArgumentException>(() => options.AddThrottlePolicy("", "api", _ => "k")).ParamName);
        Assert.Equal("limiter", Assert.ThrowsAny<ArgumentException>(() => options.AddThrottlePolicy("p", "", _ => "k")).ParamName);
        Assert.Equal("partition", Assert.Throws<ArgumentNullException>(() => options.AddThrottlePolicy("p", "api", null!)).ParamName);
        Assert.Equal("limiter", Assert.ThrowsAny<ArgumentException>(() => options.UseThrottleGlobalLimiter(null!, _ => "k")).ParamName);
    }

    [Fact]
    public void A_policy_name_used_twice_is_refused()
    {
        var options = new RateLimiterOptions().AddThrottlePolicy("per-user", "api", _ => "k");

        Assert.ThrowsAny<ArgumentException>(() => options.AddThrottlePolicy("per-user", "api", _ => "k"));
    }

    [Fact]
    public void UseThrottleGlobalLimiter_sets_OnRejected_only_when_the_app_has_none()
    {
        var bare = new RateLimiterOptions().UseThrottleGlobalLimiter("api", _ => "k");
        Assert.NotNull(bare.GlobalLimiter);
        Assert.NotNull(bare.OnRejected);

        Func<OnRejectedContext, CancellationToken, ValueTask> own = (_, _) => default;
        var withOwn = new RateLimiterOptions { OnRejected = own }.UseThrottleGlobalLimiter("api", _ => "k");
        Assert.Same(own, withOwn.OnRejected);
    }

    [Fact]
    public async Task UseThrottleGlobalLimiter_chains_a_global_limiter_set_before()
    {
        var runtime = TestRuntimes.InMemory(new TestClock());
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddSingleton(runtime).BuildServiceProvider(),
        };
        using var earlier = PartitionedRateLimiter.Create<HttpContext, string>(_ => RateLimitPartition.GetFixedWindowLimiter(
            "all", _ => new FixedWindowRateLimiterOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1), QueueLimit = 0 }));
        var options = new RateLimiterOptions { GlobalLimiter = earlier };

        options.UseThrottleGlobalLimiter(TestAppRuntime.ApiLimiter, _ => "k");

        using var first = await options.GlobalLimiter!.AcquireAsync(context);
        using var second = await options.GlobalLimiter.AcquireAsync(context);
        Assert.True(first.IsAcquired);
        Assert.False(second.IsAcquired); // the earlier limiter still applies ...
        var stats = await runtime.GetLimiter(TestAppRuntime.ApiLimiter).GetStatsAsync("k");
        Assert.Equal(TestAppRuntime.ApiBurst - 1, stats.AvailableTokens); // ... and so does Throttle's, after it
    }
}
