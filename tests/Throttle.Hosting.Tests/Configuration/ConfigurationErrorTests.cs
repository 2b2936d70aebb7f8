using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Throttle.Infrastructure;
using Xunit;

namespace Throttle.Hosting.Tests.Configuration;

/// <summary>Every bad setting stops start-up with one message naming where it came from and why.</summary>
public sealed class ConfigurationErrorTests
{
    public static TheoryData<string, string?, string> BadSettings => new()
    {
        { "Throttle:Limiters:api:Rate", "-1", "Throttle:Limiters:api:Rate: Rate must be a positive, finite number, but is -1" },
        { "Throttle:Limiters:api:Rate", "ten", "Throttle:Limiters:api:Rate: 'ten' is not a number" },
        { "Throttle:Limiters:api:Per", "0", "Throttle:Limiters:api:Per: Per must be a positive, finite number, but is 0" },
        { "Throttle:Limiters:api:Strategy", "FixedWindow", "Throttle:Limiters:api:Strategy: 'FixedWindow' is not a strategy; use TokenBucket, SlidingWindow, LeakyBucket" },
        { "Throttle:Limiters:api:Strategy", "7", "Throttle:Limiters:api:Strategy: '7' is not a strategy" },
        { "Throttle:Limiters:api:Rat", "5", "Throttle:Limiters:api:Rat: 'Rat' is not a limiter setting; the settings are Strategy, Rate, Per, Burst, Scope" },
        { "Throttle:Limiters:api:MaxWaitSeconds", "1", "'MaxWaitSeconds' is not a limiter setting" },
        { "Throttle:CircuitBreakers:upstream:BreakSeconds", "0", "Throttle:CircuitBreakers:upstream:BreakSeconds: BreakSeconds must be a positive, finite number, but is 0" },
        { "Throttle:CircuitBreakers:upstream:FailureThreshold", "0", "Throttle:CircuitBreakers:upstream:FailureThreshold: FailureThreshold must be at least 1, but is 0" },
        { "Throttle:Queues:imports:Workers", "0", "Throttle:Queues:imports:Workers: Workers must be at least 1, but is 0" },
        { "Throttle:Queues:imports:MaxSize", "1.5", "Throttle:Queues:imports:MaxSize: '1.5' is not a whole number" },
        { "Throttle:Semaphores:licences:Value", "0", "Throttle:Semaphores:licences:Value: Value must be at least 1, but is 0" },
        { "Throttle:Semaphores:licences:AcquireTimeoutSeconds", "5", "'AcquireTimeoutSeconds' is not a semaphore setting" },
        { "Throttle:Redis:Configuration", "redis://localhost:port", "Throttle:Redis:Configuration: Malformed Redis connection string" },
        { "Throttle:Redis:Configuration", ",,,", "Throttle:Redis:Configuration: The Redis connection string names no endpoint" },
        { "Throttle:Redis:OperationTimeoutSeconds", "0", "Throttle:Redis:OperationTimeoutSeconds: '0' is refused" },
        { "Throttle:Redis:KeyPrefix", "app{1}", "Throttle:Redis:KeyPrefix: 'app{1}' is refused: The key prefix must not contain '{' or '}'" },
        { "Throttle:Redis:FailureMode", "Open", "Throttle:Redis:FailureMode: 'Open' is not a failure mode; use Throw, FailOpen, FailClosed" },
        { "Throttle:Shutdown:Mode", "Later", "Throttle:Shutdown:Mode: 'Later' is not a shutdown mode; use Drain, HandBack" },
        { "Throttle:MaxKeys", "0", "Throttle:MaxKeys: '0' is refused" },
        { "Throttle:Limiter:api:Rate", "5", "Throttle:Limiter: 'Limiter' is not a section of Throttle" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_start_up_naming_its_path_and_reason(string key, string? value, string expected)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.StartsWith("Throttle:Limiters:api:", StringComparison.Ordinal) && !key.EndsWith(":Rate", StringComparison.Ordinal))
        {
            settings["Throttle:Limiters:api:Rate"] = "10"; // only the setting under test is wrong
        }

        if (key.StartsWith("Throttle:Semaphores:licences:", StringComparison.Ordinal) && !key.EndsWith(":Value", StringComparison.Ordinal))
        {
            settings["Throttle:Semaphores:licences:Value"] = "3";
        }

        using var host = TestHosts.Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Single(error.Failures);
    }

    [Fact]
    public async Task A_limiter_without_a_rate_is_refused_rather_than_given_a_default()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?> { ["Throttle:Limiters:api:Per"] = "60" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Throttle:Limiters:api:Rate: Rate must be a positive, finite number, but is NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_burst_on_a_sliding_window_is_refused_with_the_option_types_reason()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["Throttle:Limiters:api:Strategy"] = "SlidingWindow",
            ["Throttle:Limiters:api:Rate"] = "10",
            ["Throttle:Limiters:api:Burst"] = "20",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Throttle:Limiters:api:Burst: RateLimitStrategy.SlidingWindow admits at most the rate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["Throttle:Limiters:api:Rate"] = "0",
            ["Throttle:Queues:imports:Workers"] = "-2",
            ["Throttle:Redis:FailureMode"] = "Sometimes",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(3, System.Linq.Enumerable.Count(error.Failures));
        Assert.Contains(error.Failures, f => f.StartsWith("Throttle:Limiters:api:Rate:", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Throttle:Queues:imports:Workers:", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Throttle:Redis:FailureMode:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_value_given_in_code_names_the_call()
    {
        using var host = TestHosts.Build(configure: t => t.AddLimiter("api", o => o.Rate = 0).AddQueue("imports", o => o.MaxSize = 0));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AddLimiter(\"api\"): Rate must be a positive, finite number, but is 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddQueue(\"imports\"): MaxSize must be at least 1, but is 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_method_option_on_a_registered_limiter_is_refused_rather_than_ignored()
    {
        using var host = TestHosts.Build(configure: t => t.AddLimiter("api", o =>
        {
            o.Rate = 5;
            o.MaxWaitSeconds = 2;
        }));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AddLimiter(\"api\"): MaxWaitSeconds is how long one method's calls wait", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_registered_in_configuration_and_in_code_is_refused()
    {
        using var host = TestHosts.Build(
            new Dictionary<string, string?> { ["Throttle:Limiters:api:Rate"] = "5" },
            t => t.AddLimiter("api", o => o.Rate = 5));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AddLimiter(\"api\"): the limiter 'api' is registered twice, here and at Throttle:Limiters:api", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_limiter_a_method_uses_but_nobody_registered_stops_start_up_naming_the_method()
    {
        using var host = TestHosts.Build(
            new Dictionary<string, string?> { ["Throttle:Limiters:api:Rate"] = "5" },
            siteReferences:
            [
                ("Shop.Orders.PlaceAsync", SiteResourceKind.Limiter, "api"),
                ("Shop.Orders.ExportAsync", SiteResourceKind.Queue, "exports"),
                ("Shop.Orders.SearchAsync", SiteResourceKind.Limiter, "search"),
                ("Shop.Orders.PayAsync", SiteResourceKind.CircuitBreaker, "payments"),
            ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(2, System.Linq.Enumerable.Count(error.Failures));
        Assert.Contains("Shop.Orders.ExportAsync uses the queue 'exports' ([Queued(Queue = \"exports\")]), which is not registered", error.Message, StringComparison.Ordinal);
        Assert.Contains("Shop.Orders.SearchAsync uses the limiter 'search' ([RateLimit(Limiter = \"search\")]), which is not registered: add it to configuration (Throttle:Limiters:search)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_semaphore_a_method_uses_but_nobody_registered_stops_start_up_naming_the_method()
    {
        using var host = TestHosts.Build(
            new Dictionary<string, string?> { ["Throttle:Semaphores:upstream-licences:Value"] = "3" },
            siteReferences:
            [
                ("Shop.Upstream.FetchAsync", SiteResourceKind.Semaphore, "upstream-licences"),
                ("Shop.Upstream.ExportAsync", SiteResourceKind.Semaphore, "export-licences"),
            ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        var failure = Assert.Single(error.Failures);
        Assert.Equal(
            "Shop.Upstream.ExportAsync uses the semaphore 'export-licences' ([DistributedSemaphore(Semaphore = \"export-licences\")]), which is not registered: add it to configuration (Throttle:Semaphores:export-licences) or call AddSemaphore(\"export-licences\", ...).",
            failure);
    }

    [Fact]
    public async Task The_references_checked_by_default_are_the_process_site_manifest()
    {
        // A name no other test registers; once recorded it stays in this process, so it is checked only here.
        var name = "hosting-tests-" + Guid.NewGuid().ToString("N");
        SiteManifest.Register("Tests.Generated.Method", SiteResourceKind.Limiter, name);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddThrottle();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"Tests.Generated.Method uses the limiter '{name}'", error.Message, StringComparison.Ordinal);
    }
}
