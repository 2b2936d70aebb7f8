using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Xunit;

namespace Throttle.Samples.Tests;

/// <summary>How the sample picks its port, and how it refuses to start without the Redis it was told to use.</summary>
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
    public async Task Unreachable_THROTTLE_REDIS_is_reported_and_the_process_exits_non_zero()
    {
        // A port nobody listens on: the connection is refused.
        var endpoint = $"127.0.0.1:{FreePort.Get()}";
        var port = FreePort.Get();
        await using var sample = SampleProcess.Launch(
            ["--urls", $"http://127.0.0.1:{port}"], new Dictionary<string, string?> { ["THROTTLE_REDIS"] = endpoint }, new Uri($"http://127.0.0.1:{port}/"));

        var exitCode = await sample.WaitForExitAsync(s_exitTimeout);

        Assert.Equal(3, exitCode);
        Assert.Contains($"cannot reach Redis at THROTTLE_REDIS={endpoint}", sample.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", sample.Output, StringComparison.Ordinal);
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
