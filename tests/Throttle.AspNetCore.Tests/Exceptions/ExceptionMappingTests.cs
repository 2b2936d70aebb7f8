using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Throttle.AspNetCore.TestApp;
using Throttle.Testing;
using Xunit;

namespace Throttle.AspNetCore.Tests.Exceptions;

/// <summary>
/// Exceptions of generated methods called by endpoints, answered with ProblemDetails on each path that can meet them:
/// UseExceptionHandler's IExceptionHandler, the developer exception page's filter (Development without a handler) and
/// the runtime middleware's fallback (no handler outside Development).
/// </summary>
public sealed class ExceptionMappingTests
{
    public static TheoryData<string, string> Paths => new()
    {
        { "Development", "handler" },
        { "Production", "handler" },
        { "Development", "none" },
        { "Production", "none" },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task RateLimitRejectedException_is_429_with_Retry_After(string environment, string exceptionHandling)
    {
        await using var factory = Factory(TestRuntimes.InMemory(new TestClock()), environment, exceptionHandling);
        using var client = factory.CreateClient();
        for (var i = 0; i < ReportClient.PerUser; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/generated/report?user=alice", UriKind.Relative))).StatusCode);
        }

        var rejected = await client.GetAsync(new Uri("/generated/report?user=alice", UriKind.Relative));

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal("1800", rejected.Header("Retry-After")); // 2 an hour: the next in 1800 s
        Assert.Equal("Too Many Requests", (await rejected.ProblemAsync()).GetProperty("title").GetString());
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task BrokenCircuitException_is_503_with_the_rest_of_the_break_as_Retry_After(string environment, string exceptionHandling)
    {
        var clock = new TestClock();
        var runtime = TestRuntimes.InMemory(clock);
        await using var factory = Factory(runtime, environment, exceptionHandling);
        using var client = factory.CreateClient();
        await OpenUpstreamBreakerAsync(factory);
        clock.Advance(TimeSpan.FromSeconds(10.5));

        var rejected = await client.GetAsync(new Uri("/generated/upstream?fail=false", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        Assert.Equal("20", rejected.Header("Retry-After")); // 30 s break, 10.5 s gone: 19.5 s rounded up
        await rejected.ProblemAsync();
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task SemaphoreTimeoutException_is_503(string environment, string exceptionHandling)
    {
        // The system clock: the second caller's acquire timeout (0.2 s) has to run out.
        await using var factory = Factory(TestAppRuntime.Create(new ThrottleRuntimeOptions()), environment, exceptionHandling);
        using var client = factory.CreateClient();
        var gate = factory.Services.GetRequiredService<SlotGate>();
        var holder = client.GetAsync(new Uri("/generated/slot", UriKind.Relative));
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var refused = await client.GetAsync(new Uri("/generated/slot", UriKind.Relative));
        gate.Release.SetResult();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Null(refused.Header("Retry-After"));
        await refused.ProblemAsync();
        Assert.Equal(HttpStatusCode.OK, (await holder).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task QueueStoppedException_is_503(string environment, string exceptionHandling)
    {
        var runtime = TestRuntimes.InMemory(new TestClock());
        await using var factory = Factory(runtime, environment, exceptionHandling);
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/generated/work", UriKind.Relative))).StatusCode);
        await runtime.StopQueuesAsync();

        var refused = await client.GetAsync(new Uri("/generated/work", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        await refused.ProblemAsync();
    }

    [Fact]
    public async Task Other_exceptions_are_left_to_the_app()
    {
        await using var factory = Factory(TestRuntimes.InMemory(new TestClock()), "Production", "handler");
        using var client = factory.CreateClient();

        var failed = await client.GetAsync(new Uri("/generated/upstream?fail=true", UriKind.Relative));

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Null(failed.Header("Retry-After"));
    }

    /// <summary>Opens the breaker "upstream" of the factory's runtime: one handled failure, on the host's runtime.</summary>
    internal static async Task OpenUpstreamBreakerAsync(TestAppFactory factory)
    {
        var upstream = factory.Services.GetRequiredService<UpstreamClient>();
        using (ThrottleRuntime.Use(factory.Runtime))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => upstream.CallAsync(fail: true));
        }

        Assert.Equal(Polly.CircuitBreaker.CircuitState.Open, factory.Runtime.GetCircuitBreaker("upstream").State);
    }

    private static TestAppFactory Factory(ThrottleRuntime runtime, string environment, string exceptionHandling) =>
        new(runtime, environment, new Dictionary<string, string?> { ["ExceptionHandling"] = exceptionHandling });
}
