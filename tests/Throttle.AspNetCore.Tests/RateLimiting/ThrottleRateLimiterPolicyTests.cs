using System;
using System.Collections.Generic;
using System.Net;
using System.Threading.Tasks;
using Throttle.AspNetCore.RateLimiting;
using Throttle.AspNetCore.TestApp;
using Throttle.Testing;
using Xunit;

namespace Throttle.AspNetCore.Tests.RateLimiting;

/// <summary>
/// AddThrottlePolicy through UseRateLimiter: the limiter "api" (3 per user an hour, on a fake clock) behind a minimal
/// API endpoint (RequireRateLimiting) and an MVC action ([EnableRateLimiting]).
/// </summary>
public sealed class ThrottleRateLimiterPolicyTests
{
    private const int Burst = TestAppRuntime.ApiBurst;

    // One token per 3600 s / 3: the wait for the next one after the burst is spent.
    private const string NextTokenSeconds = "1200";

    [Theory]
    [InlineData("/minimal")]
    [InlineData("/mvc")]
    public async Task A_user_gets_the_burst_then_429_with_Retry_After_and_a_ProblemDetails_body(string path)
    {
        await using var factory = new TestAppFactory(TestRuntimes.InMemory(new TestClock()));
        using var client = factory.CreateClient();

        for (var i = 0; i < Burst; i++)
        {
            var admitted = await client.GetAsUserAsync(path, "alice");
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        }

        var rejected = await client.GetAsUserAsync(path, "alice");
        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal(NextTokenSeconds, rejected.Header("Retry-After"));
        Assert.Null(rejected.Header("RateLimit-Limit")); // opt-in, and this policy did not opt in
        var problem = await rejected.ProblemAsync();
        Assert.Equal("Too Many Requests", problem.GetProperty("title").GetString());

        // Another user has a partition of its own.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsUserAsync(path, "bob")).StatusCode);
    }

    [Fact]
    public async Task The_limit_lives_in_the_runtime_so_time_on_its_clock_refills_it()
    {
        var clock = new TestClock();
        await using var factory = new TestAppFactory(TestRuntimes.InMemory(clock));
        using var client = factory.CreateClient();
        for (var i = 0; i < Burst; i++)
        {
            await client.GetAsUserAsync("/minimal", "alice");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsUserAsync("/minimal", "alice")).StatusCode);
        clock.Advance(TimeSpan.FromSeconds(1200));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsUserAsync("/minimal", "alice")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsUserAsync("/minimal", "alice")).StatusCode);
    }

    [Fact]
    public async Task Anonymous_requests_share_one_partition_of_their_own()
    {
        await using var factory = new TestAppFactory(TestRuntimes.InMemory(new TestClock()));
        using var client = factory.CreateClient();

        for (var i = 0; i < Burst; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsUserAsync("/minimal", user: null)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsUserAsync("/minimal", user: "")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsUserAsync("/minimal", "alice")).StatusCode);

        var anonymous = await factory.Runtime.GetLimiter(TestAppRuntime.ApiLimiter).GetStatsAsync(ThrottlePolicyOptions.DefaultAnonymousPartition);
        Assert.Equal(0, anonymous.AvailableTokens);
    }

    [Fact]
    public async Task Opted_in_rejections_carry_the_RateLimit_headers_of_the_partition()
    {
        await using var factory = new TestAppFactory(TestRuntimes.InMemory(new TestClock()));
        using var client = factory.CreateClient();
        for (var i = 0; i < Burst; i++)
        {
            var admitted = await client.GetAsUserAsync("/minimal/headers", "carol");
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        }

        var rejected = await client.GetAsUserAsync("/minimal/headers", "carol");

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal(NextTokenSeconds, rejected.Header("Retry-After"));
        Assert.Equal("3", rejected.Header("RateLimit-Limit"));
        Assert.Equal("0", rejected.Header("RateLimit-Remaining"));
        Assert.Equal("3600", rejected.Header("RateLimit-Reset")); // 3 tokens missing at 1 per 1200 s
    }

    [Fact]
    public async Task The_global_limiter_bounds_every_endpoint_and_answers_429_with_its_headers()
    {
        var settings = new Dictionary<string, string?> { ["GlobalLimiter"] = "true" };
        await using var factory = new TestAppFactory(TestRuntimes.InMemory(new TestClock()), settings: settings);
        using var client = factory.CreateClient();

        for (var i = 0; i < TestAppRuntime.GlobalBurst; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsUserAsync("/unlimited", "dave")).StatusCode);
        }

        var rejected = await client.GetAsUserAsync("/unlimited", "dave");
        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal("900", rejected.Header("Retry-After")); // 4 an hour: one per 900 s
        Assert.Equal("4", rejected.Header("RateLimit-Limit"));
        Assert.Equal("0", rejected.Header("RateLimit-Remaining"));
        await rejected.ProblemAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsUserAsync("/unlimited", "erin")).StatusCode);
    }
}
