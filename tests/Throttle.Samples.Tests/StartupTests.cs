using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Xunit;

namespace Throttle.Samples.Tests;

/// <summary>How the sample picks its port and refuses a bad one, and how it reports a Redis that is down rather than refusing to start.</summary>
public sealed class StartupTests
{
    // The sample gives Redis 3 s to answer; the rest is process start-up on a busy machine.
    private static readonly TimeSpan s_exitTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task PORT_sets_the_port_when_no_urls_are_given()
    {
        var port = FreePort.Get();
        await using var sample = await SampleProcess.StartAsync(
            [], new Dictionary<string, string?> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, new Uri($"http://localhost:{port}/"));

        var answer = await GatherStatsAnswer.GetAsync(sample, "calls=3");
        Assert.Equal(3, answer.Completed);
        Assert.Contains($"http://localhost:{port}", sample.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_THROTTLE_REDIS_does_not_stop_the_service_and_healthz_reports_it()
    {
        // A port nobody listens on: the connection is refused; the service starts anyway and says so at /healthz.
        var endpoint = $"127.0.0.1:{FreePort.Get()}";
        var port = FreePort.Get();
        await using var sample = await SampleProcess.StartAsync(
            ["--urls", $"http://127.0.0.1:{port}"], new Dictionary<string, string?> { ["THROTTLE_REDIS"] = endpoint }, new Uri($"http://127.0.0.1:{port}/"));

        using var health = await sample.Http.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
        var answer = await GatherStatsAnswer.GetAsync(sample, "calls=2");
        Assert.Equal(0, answer.Completed); // FailureMode Throw (appsettings.json): calls fail while Redis is away
        Assert.Equal(2, answer.Failed + answer.Rejected);
    }

    [Fact]
    public async Task The_licence_count_comes_from_configuration()
    {
        // appsettings.json says 3; the environment overrides it, as any configuration source can.
        await using var sample = await SampleProcess.StartAsync(null, new Dictionary<string, string?> { ["Throttle__Semaphores__upstream-licences__Value"] = "2" });

        var answer = await GatherStatsAnswer.GetAsync(sample, "calls=20");

        Assert.Equal(2, answer.Licences);
        Assert.Equal(20, answer.Completed);
        Assert.Equal(2, answer.InstanceMax); // 20 calls of 100 ms at once: the bound was reached, never passed
    }

    [Fact]
    public async Task A_licence_count_out_of_range_stops_start_up_naming_the_setting()
    {
        var port = FreePort.Get();
        await using var sample = SampleProcess.Launch(
            ["--urls", $"http://127.0.0.1:{port}"],
            new Dictionary<string, string?> { ["Throttle__Semaphores__upstream-licences__Value"] = "0" },
            new Uri($"http://127.0.0.1:{port}/"));

        var exitCode = await sample.WaitForExitAsync(s_exitTimeout);

        Assert.Equal(2, exitCode);
        Assert.Contains("Throttle:Semaphores:upstream-licences:Value", sample.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthz_answers_Healthy_in_memory()
    {
        await using var sample = await SampleProcess.StartAsync();

        using var health = await sample.Http.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_PORT_that_is_not_a_port_is_reported_and_the_process_exits_non_zero()
    {
        await using var sample = SampleProcess.Launch([], new Dictionary<string, string?> { ["PORT"] = "70000" }, new Uri("http://localhost:1/"));

        var exitCode = await sample.WaitForExitAsync(s_exitTimeout);

        Assert.Equal(2, exitCode);
        Assert.Contains("PORT=70000 is not a TCP port", sample.Output, StringComparison.Ordinal);
    }
}
