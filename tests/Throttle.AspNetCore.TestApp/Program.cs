using System.Threading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Throttle;
using Throttle.AspNetCore.TestApp;

// The app the ASP.NET Core tests drive. Its ThrottleRuntime is the tests' own (they register theirs after this one);
// run by hand it gets an in-memory runtime with the limiter "api" (5 a minute).
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddThrottleAspNetCore();
builder.Services.AddControllers();
builder.Services.AddSingleton(_ => TestAppRuntime.Create(new ThrottleRuntimeOptions()));
builder.Services.AddSingleton<ReportClient>();
builder.Services.AddSingleton<UpstreamClient>();
builder.Services.AddSingleton<SlotClient>();
builder.Services.AddSingleton<SlotGate>();
builder.Services.AddSingleton<WorkClient>();
builder.Services.AddRateLimiter(options =>
{
    options.AddThrottlePolicy(TestAppRuntime.PerUser, limiter: TestAppRuntime.ApiLimiter, partition: UserOf);
    options.AddThrottlePolicy(
        TestAppRuntime.PerUserWithHeaders,
        limiter: TestAppRuntime.ApiLimiter,
        partition: UserOf,
        configure: policy => policy.IncludeRateLimitHeaders = true);
});

// "GlobalLimiter": true puts the limiter "global" in front of every endpoint. Read from the container's configuration,
// which holds the test's settings by the time options are built.
builder.Services.AddOptions<RateLimiterOptions>().Configure<IConfiguration>((options, configuration) =>
{
    if (configuration.GetValue<bool>("GlobalLimiter"))
    {
        options.UseThrottleGlobalLimiter(TestAppRuntime.GlobalLimiter, UserOf, policy => policy.IncludeRateLimitHeaders = true);
    }
});

var app = builder.Build();

// "ExceptionHandling": "handler" (default) is the usual UseExceptionHandler(); "none" leaves Throttle's exceptions to
// the developer exception page's filter (Development) or to the runtime middleware's fallback (other environments).
if (app.Configuration["ExceptionHandling"] is null or "handler")
{
    app.UseExceptionHandler();
}

app.UseRateLimiter();
app.MapControllers();

app.MapGet("/minimal", () => "ok").RequireRateLimiting(TestAppRuntime.PerUser);
app.MapGet("/minimal/headers", () => "ok").RequireRateLimiting(TestAppRuntime.PerUserWithHeaders);
app.MapGet("/unlimited", () => "ok");
app.MapGet("/generated/report", async (string user, ReportClient reports, CancellationToken cancellationToken) =>
    await reports.GetReportAsync(user, cancellationToken));
app.MapGet("/generated/static", (string user) => StaticReports.Lookup(user));
app.MapGet("/generated/upstream", async (bool fail, UpstreamClient upstream) => await upstream.CallAsync(fail));
app.MapGet("/generated/slot", async (SlotClient slots, SlotGate gate) => await slots.HoldAsync(gate));
app.MapGet("/generated/work", async (WorkClient work) => await work.RunAsync());
app.MapGet("/current", () => RuntimeIdentity.Of(ThrottleRuntime.Current));
app.MapThrottleMetrics();

app.Run();

static string UserOf(HttpContext context) => context.Request.Headers["X-User"].ToString();

/// <summary>The entry point's type, for WebApplicationFactory.</summary>
public partial class Program
{
}
