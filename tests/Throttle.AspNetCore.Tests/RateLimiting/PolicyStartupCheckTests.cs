using System;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Throttle.Policies;
using Xunit;

namespace Throttle.AspNetCore.Tests.RateLimiting;

/// <summary>A Throttle rate-limiter policy naming a limiter the runtime does not have stops start-up, not the first request.</summary>
public sealed class PolicyStartupCheckTests
{
    [Fact]
    public async Task An_unknown_limiter_in_AddThrottlePolicy_fails_the_start_naming_the_policy_and_the_limiter()
    {
        await using var app = Build(registered: "api", policyLimiter: "apl", globalLimiter: null);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("AddThrottlePolicy(\"per-user\") uses the limiter 'apl', which is not registered", error.Message, StringComparison.Ordinal);
        Assert.Contains("Throttle:Limiters:apl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_limiter_in_UseThrottleGlobalLimiter_fails_the_start_too()
    {
        await using var app = Build(registered: "api", policyLimiter: "api", globalLimiter: "everyone");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("UseThrottleGlobalLimiter uses the limiter 'everyone'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'api'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registered_limiters_start_and_serve()
    {
        await using var app = Build(registered: "api", policyLimiter: "api", globalLimiter: "api");

        await app.StartAsync();
        using var client = app.GetTestClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/", UriKind.Relative))).StatusCode);
        await app.StopAsync();
    }

    private static WebApplication Build(string registered, string policyLimiter, string? globalLimiter)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(_ =>
        {
            var runtime = new ThrottleRuntime();
            runtime.RegisterLimiter(registered, new RateLimitOptions { Rate = 100 });
            return runtime;
        });
        builder.Services.AddThrottleAspNetCore();
        builder.Services.AddRateLimiter(o =>
        {
            o.AddThrottlePolicy("per-user", policyLimiter, static ctx => ctx.User.Identity?.Name);
            if (globalLimiter is not null)
            {
                o.UseThrottleGlobalLimiter(globalLimiter, static _ => "all");
            }
        });
        var app = builder.Build();
        app.UseRateLimiter();
        app.MapGet("/", () => "ok").RequireRateLimiting("per-user");
        return app;
    }
}
