using System.Threading.Tasks;
using Xunit;

namespace Throttle.Samples.Tests;

/// <summary>The breaker opens on upstream failures and then rejects calls; a fresh instance so the others stay closed.</summary>
public sealed class CircuitBreakerTests
{
    [Fact]
    public async Task Upstream_failures_open_the_breaker_and_later_calls_are_rejected()
    {
        await using var sample = await SampleProcess.StartAsync();

        // Every call fails in the upstream: five in a row open the breaker (calls already past it still run).
        var failing = await GatherStatsAnswer.GetAsync(sample, "calls=10&fail=1");
        Assert.Equal(10, failing.Failed);
        Assert.Equal(10, failing.ErrorCount("UpstreamException"));
        Assert.Equal(0, failing.Completed);
        Assert.Equal("Open", failing.BreakerState);

        // Open for 5 s: the next calls never reach the upstream.
        var rejected = await GatherStatsAnswer.GetAsync(sample, "calls=4");
        Assert.Equal(4, rejected.Rejected);
        Assert.Equal(4, rejected.ErrorCount("BrokenCircuitException"));
        Assert.Equal(0, rejected.Completed);
        Assert.Equal(0, rejected.InstanceMax);
        Assert.Equal("Open", rejected.BreakerState);
    }
}
