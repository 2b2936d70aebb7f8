using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using StackExchange.Redis;
using Throttle;
using Throttle.Coordination;
using Throttle.Hosting;
using Throttle.Policies;
using Throttle.Samples.GatherStats;

// GatherStats: GET /gather_stats?calls=N fans out N calls to an upstream with a few licences (Throttle:Semaphores in appsettings.json).
// A hosted app on AddThrottle: the rate and Redis come from appsettings.json (section "Throttle", plus GatherStats:Redis,
// which THROTTLE_REDIS overrides). No Redis configured: in memory, on http://localhost:8090. THROTTLE_REDIS=host:port:
// the licences are shared through Redis by every instance using that server; a Redis that is down does not stop the
// service (calls fail, /healthz says Unhealthy, naming the endpoint, until it answers). Health at /healthz.
// Exit codes: 0 stopped normally, 2 bad configuration, 4 the port could not be bound.
const int DefaultPort = 8090;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // no line per request; start-up lines stay

// The port: --urls or ASPNETCORE_URLS win; else PORT; else 8090.
if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]) && string.IsNullOrWhiteSpace(builder.Configuration["http_ports"]))
{
    var portSetting = Environment.GetEnvironmentVariable("PORT");
    var port = DefaultPort;
    if (!string.IsNullOrWhiteSpace(portSetting) &&
        (!int.TryParse(portSetting, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
    {
        await Console.Error.WriteLineAsync($"gatherstats: PORT={portSetting} is not a TCP port (1 to 65535).");
        return 2;
    }

    builder.WebHost.UseUrls($"http://localhost:{port.ToString(CultureInfo.InvariantCulture)}");
}

// Redis: THROTTLE_REDIS, else GatherStats:Redis from appsettings.json; empty for memory. The connection is the app's
// (the simulated upstream counts cluster-wide callers on it too) and is made in the background: a Redis that is down
// does not stop start-up, and StackExchange.Redis reconnects by itself once it is back.
var redisSetting = (Environment.GetEnvironmentVariable("THROTTLE_REDIS") ?? builder.Configuration["GatherStats:Redis"])?.Trim();
ConnectionMultiplexer? redis = null;
if (!string.IsNullOrEmpty(redisSetting))
{
    ConfigurationOptions redisOptions;
    try
    {
        redisOptions = ConfigurationOptions.Parse(redisSetting);
    }
    catch (ArgumentException e)
    {
        await Console.Error.WriteLineAsync($"gatherstats: THROTTLE_REDIS={redisSetting} is not a Redis endpoint (host:port): {e.Message}");
        return 2;
    }

    redisOptions.AbortOnConnectFail = false;
    redisOptions.ClientName ??= "gatherstats";
    redis = await ConnectionMultiplexer.ConnectAsync(redisOptions);
    builder.Services.AddSingleton<IConnectionMultiplexer>(redis);
}

// Every [RateLimit], [CircuitBreaker] and [DistributedSemaphore] method runs through the host's runtime: limiters and
// breakers from appsettings.json ("Throttle"), checked at start-up. With Redis, the semaphore and the rate limit are
// shared by all instances (Lua scripts on the server); the breaker stays per instance.
var throttle = builder.Services.AddThrottle(builder.Configuration.GetSection("Throttle"));
if (redis is not null)
{
    throttle.UseRedis(sp => sp.GetRequiredService<IConnectionMultiplexer>());
}

// The leader-only licence report: one instance of the cluster leads (Redis leader election with fencing; in memory
// the single instance always leads) and reports the licences in use once a report interval (appsettings.json,
// GatherStats:Leadership and GatherStats:LicenceReportSeconds).
var leadershipSection = builder.Configuration.GetSection("GatherStats:Leadership");
var reportError = ReadSeconds(builder.Configuration, "GatherStats:LicenceReportSeconds", 1, out var reportSeconds);
var ttlError = ReadSeconds(leadershipSection, "TtlSeconds", CoordinatorOptions.DefaultTtlSeconds, out var ttlSeconds);
var retryError = ReadSeconds(leadershipSection, "RetryIntervalSeconds", CoordinatorOptions.DefaultRetryIntervalSeconds, out var retrySeconds);
if ((reportError ?? ttlError ?? retryError) is { } settingError)
{
    await Console.Error.WriteLineAsync($"gatherstats: bad configuration: {settingError}");
    return 2;
}

var instanceName = $"{Environment.MachineName}/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";
try
{
    throttle
        .AddLeaderElection(leader =>
        {
            leader.LockName = LicenceReporter.LeadershipName;
            leader.TtlSeconds = ttlSeconds;
            leader.RetryIntervalSeconds = retrySeconds;
            leader.HolderId = instanceName;
        })
        .AddSchedule((scheduler, services) => scheduler.Add(
            new ScheduledOptions { Name = LicenceReporter.JobName, Seconds = reportSeconds, OnlyOnLeader = true, Leadership = LicenceReporter.LeadershipName },
            services.GetRequiredService<LicenceReporter>().ReportAsync));
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"gatherstats: bad configuration: GatherStats:Leadership: {e.Message}");
    return 2;
}

builder.Services.AddHealthChecks().AddThrottle();

var info = new ServiceInfo(
    redis is null ? "memory" : "redis",
    redis is null ? null : redisSetting,
    instanceName);
builder.Services.AddSingleton(info);
builder.Services.AddSingleton(sp => new SimulatedUpstream(sp.GetService<IConnectionMultiplexer>(), TimeSpan.FromMilliseconds(100)));
builder.Services.AddSingleton<UpstreamClient>();
builder.Services.AddSingleton<GatherStatsRunner>();
builder.Services.AddSingleton(sp => new LicenceReporter(
    sp.GetRequiredService<SimulatedUpstream>(),
    sp.GetRequiredKeyedService<Coordinator>(LicenceReporter.LeadershipName),
    sp.GetRequiredService<ThrottleRuntime>(),
    sp.GetRequiredService<ServiceInfo>(),
    sp.GetRequiredService<UpstreamClient>().Licences));
builder.Services.ConfigureHttpJsonOptions(json =>
{
    json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
    json.SerializerOptions.DictionaryKeyPolicy = null;
    json.SerializerOptions.WriteIndented = true;
});

var app = builder.Build();

// Built now so a bad configuration ends start-up with its path and reason; UpstreamClient gets this runtime injected.
ThrottleRuntime runtime;
UpstreamClient client;
try
{
    runtime = app.Services.GetRequiredService<ThrottleRuntime>();
    client = app.Services.GetRequiredService<UpstreamClient>(); // the licences: a semaphore registered from configuration
}
catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
{
    await Console.Error.WriteLineAsync($"gatherstats: bad configuration: {e.Message}");
    return 2;
}

_ = runtime.Metrics; // aggregation for GetStats() and /metrics starts with the first read

app.MapGet("/", () => Results.Text(HomePage.Text(info, client.Licences), "text/plain; charset=utf-8"));
app.MapHealthChecks("/healthz");
app.MapThrottleMetrics();

app.MapGet("/leader", (LicenceReporter reporter) => Results.Json(reporter.Status()));

app.MapGet("/gather_stats", async (HttpRequest request, GatherStatsRunner runner) =>
{
    if (QueryInput.ParseCalls(request.Query["calls"], out var calls) is { } callsError)
    {
        return Results.Json(new ErrorResponse(callsError), statusCode: StatusCodes.Status400BadRequest);
    }

    if (QueryInput.ParseFailureRate(request.Query["fail"], out var failureRate) is { } failError)
    {
        return Results.Json(new ErrorResponse(failError), statusCode: StatusCodes.Status400BadRequest);
    }

    return Results.Json(await runner.RunAsync(calls, failureRate, request.HttpContext.RequestAborted));
});

Console.WriteLine(redis is null
    ? $"gatherstats: in memory; {client.Licences} upstream licences in this process."
    : $"gatherstats: Redis at {redisSetting}; {client.Licences} upstream licences shared by every instance using it.");
try
{
    await app.RunAsync();
}
catch (IOException e)
{
    await Console.Error.WriteLineAsync($"gatherstats: cannot listen: {e.Message}");
    return 4;
}
finally
{
    if (redis is not null)
    {
        await redis.DisposeAsync();
    }
}

return 0;

// A positive, finite number of seconds from configuration, or the default when unset; the error names the setting.
static string? ReadSeconds(IConfiguration configuration, string key, double defaultValue, out double seconds)
{
    seconds = defaultValue;
    var text = configuration[key];
    if (string.IsNullOrWhiteSpace(text))
    {
        return null;
    }

    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) || !double.IsFinite(seconds) || seconds <= 0)
    {
        var path = configuration is IConfigurationSection section ? $"{section.Path}:{key}" : key;
        return $"{path}={text} is not a positive number of seconds.";
    }

    return null;
}

/// <summary>Reads the query string of /gather_stats; each method returns an error message, or null when the value is good.</summary>
internal static class QueryInput
{
    public static string? ParseCalls(StringValues values, out int calls)
    {
        calls = 0;
        var range = $"a whole number from 1 to {GatherStatsRunner.MaxCalls} (the cap keeps the fan-out bounded)";
        if (values.Count == 0 || string.IsNullOrWhiteSpace(values[0]))
        {
            return $"calls is required: /gather_stats?calls=20; calls is {range}.";
        }

        if (values.Count > 1)
        {
            return $"calls was given more than once: give it once; calls is {range}.";
        }

        var text = values[0]!.Trim();
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            return text.Length > 0 && text.TrimStart('-', '+').Length > 0 && text.TrimStart('-', '+').All(char.IsAsciiDigit)
                ? $"calls={Shorten(text)} is too large: calls is {range}."
                : $"calls={Shorten(text)} is not a number: calls is {range}.";
        }

        if (parsed < 1)
        {
            return $"calls={parsed.ToString(CultureInfo.InvariantCulture)} is not positive: calls is {range}.";
        }

        if (parsed > GatherStatsRunner.MaxCalls)
        {
            return $"calls={parsed.ToString(CultureInfo.InvariantCulture)} is above the cap of {GatherStatsRunner.MaxCalls.ToString(CultureInfo.InvariantCulture)}: calls is {range}.";
        }

        calls = (int)parsed;
        return null;
    }

    public static string? ParseFailureRate(StringValues values, out double failureRate)
    {
        failureRate = 0;
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            return "fail was given more than once; give it once.";
        }

        var text = values[0]?.Trim() ?? string.Empty;
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out failureRate) ||
            !double.IsFinite(failureRate) || failureRate > 1)
        {
            failureRate = 0;
            return $"fail={Shorten(text)} is not a probability: fail is a number from 0 to 1, such as 0.3.";
        }

        return null;
    }

    // Echo the caller's input, but not all of an enormous one.
    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}

/// <summary>The text of GET /.</summary>
internal static class HomePage
{
    public static string Text(ServiceInfo info, int licences) => $"""
        Throttle sample: GatherStats ({info.Mode}{(info.RedisEndpoint is null ? string.Empty : " at " + info.RedisEndpoint)}, instance {info.InstanceName})

        A simulated upstream holds {licences} licences: it serves at most {licences} callers at once.
        UpstreamClient.CallAsync carries [RateLimit(Limiter = "{UpstreamClient.RateLimiterName}")] (its rate in appsettings.json,
        Throttle:Limiters) and [CircuitBreaker(FailureThreshold = 5, BreakSeconds = 5)], and takes a licence of the
        semaphore "{UpstreamClient.LicenceKey}" (its value in appsettings.json, Throttle:Semaphores) around the upstream call.
        In memory the licences are this process's; with THROTTLE_REDIS=host:port every instance on that
        Redis server shares them (rate limits stay per instance).

        GET /gather_stats?calls=N[&fail=P]
            Fans out N concurrent calls (1 to {GatherStatsRunner.MaxCalls}) through UpstreamClient; each takes 100 ms.
            fail=P (0 to 1, default 0) makes the upstream fail that share of calls, to open the breaker.
            Answers JSON: calls_requested, completed, rejected (no licence within {UpstreamClient.AcquireTimeoutSeconds} s,
            rate limit, or breaker open), failed, errors (by type), max_concurrency.instance and
            max_concurrency.cluster (Redis only; never above {licences}), latency_ms.p50/p95,
            slot_wait_ms.total/avg (waiting for a licence and the rate limiter), breaker_state.
            Bad input (calls missing, not a number, below 1 or above {GatherStatsRunner.MaxCalls}; fail outside 0..1): HTTP 400,
            {"{"} "error": "..." {"}"}.

        GET /leader
            Whether this instance leads the cluster's licence report (leader election on Redis, with fencing tokens;
            in memory the single instance always leads): is_leader, fencing_token, reports_made, last_report
            (licences in use across the cluster, made once a second by the leader only; also the gauges
            gatherstats_licences_in_use and gatherstats_licences_leader_token on /metrics). /gather_stats answers
            include it as "leadership".

        GET /metrics
            Prometheus exposition of Throttle's instruments and the licence report.

        GET /healthz
            Healthy; Degraded while the breaker is open; Unhealthy (HTTP 503) while Redis does not answer.

        GET /
            This page.

        Try: curl "http://localhost:8090/gather_stats?calls=20"
        """;
}
