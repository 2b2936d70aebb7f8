using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Throttle.Hosting.Tests.HealthChecks;

/// <summary>Healthy, or Degraded naming the breakers that are not closed and the queues over the backlog threshold.</summary>
public sealed class ThrottleHealthCheckTests
{
    [Fact]
    public async Task In_memory_with_closed_breakers_and_short_queues_it_is_healthy()
    {
        using var host = Build(t => t.AddCircuitBreaker("upstream").AddQueue("imports"));
        await host.StartAsync();

        var entry = await CheckAsync(host);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("memory", entry.Data["storage"]);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_breaker_that_is_not_closed_makes_it_degraded_and_is_named()
    {
        using var host = Build(t => t.AddCircuitBreaker("upstream").AddCircuitBreaker("billing"));
        await host.StartAsync();
        await host.Services.GetRequiredService<ThrottleRuntime>().GetCircuitBreaker("upstream").IsolateAsync();

        var entry = await CheckAsync(host);

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("upstream (Isolated)", entry.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("billing", entry.Description, StringComparison.Ordinal);
        Assert.Equal(["upstream (Isolated)"], (string[])entry.Data["circuitBreakersNotClosed"]);
        await host.StopAsync();
    }

    [Fact]
    public async Task Breakers_can_be_left_out_of_the_status()
    {
        using var host = Build(t => t.AddCircuitBreaker("upstream"), o => o.ReportOpenCircuitBreakers = false);
        await host.StartAsync();
        await host.Services.GetRequiredService<ThrottleRuntime>().GetCircuitBreaker("upstream").IsolateAsync();

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_backlog_over_the_threshold_makes_it_degraded_and_names_the_queue()
    {
        using var host = Build(t => t.AddQueue("imports", o => o.Workers = 1).AddQueue("exports"), o => o.QueueBacklogThreshold = 2);
        await host.StartAsync();
        var queue = host.Services.GetRequiredService<ThrottleRuntime>().GetQueue("imports");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = new List<Task>
        {
            queue.EnqueueAsync(0, async (_, _) =>
            {
                started.SetResult();
                await release.Task;
            }, 0, default),
        };
        await started.Task;
        for (var i = 0; i < 2; i++)
        {
            calls.Add(queue.EnqueueAsync(0, static (_, _) => ValueTask.CompletedTask, 0, default));
        }

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status); // 2 waiting: at the threshold, not over it
        calls.Add(queue.EnqueueAsync(0, static (_, _) => ValueTask.CompletedTask, 0, default));

        var entry = await CheckAsync(host);

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("imports (3)", entry.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("exports", entry.Description, StringComparison.Ordinal);
        Assert.Equal(3, ((IReadOnlyDictionary<string, int>)entry.Data["queueBacklog"])["imports"]);
        release.SetResult();
        await Task.WhenAll(calls);
        await host.StopAsync();
    }

    [Fact]
    public void A_negative_threshold_is_refused()
    {
        var options = new Throttle.Hosting.HealthChecks.ThrottleHealthCheckOptions();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => options.QueueBacklogThreshold = -1);

        Assert.Equal("value", error.ParamName);
    }

    internal static IHost Build(Action<ThrottleBuilder>? configure = null, Action<Throttle.Hosting.HealthChecks.ThrottleHealthCheckOptions>? health = null, IDictionary<string, string?>? settings = null) =>
        TestHosts.Build(settings, configure, services => services.AddHealthChecks().AddThrottle(tags: ["ready"], configure: health));

    internal static async Task<HealthReportEntry> CheckAsync(IHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries["throttle"];
    }
}
