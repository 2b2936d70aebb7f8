using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;
using Throttle.Testing.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Samples.Tests;

/// <summary>
/// Two instances on one Redis server share the upstream's breaker: failures seen by one open the other's, which then
/// rejects calls without a failure of its own.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisSharedBreakerGatherStatsTests(RedisFixture redis, ITestOutputHelper output)
{
    // Shorter than the sample's 5 s break, so the other instance is seen open before the break ends.
    private static readonly TimeSpan s_announcementTimeout = TimeSpan.FromSeconds(4);

    [RedisFact]
    public async Task Failures_seen_by_one_instance_open_the_breaker_of_the_other()
    {
        // A key prefix of this test's own: another test's breaker state does not count.
        var settings = new Dictionary<string, string?> { ["Throttle__Redis__KeyPrefix"] = redis.KeyPrefix() };
        await using var failing = await SampleProcess.StartAsync(redis.Endpoint, settings);
        await using var other = await SampleProcess.StartAsync(redis.Endpoint, settings);

        // Both use the breaker once (joining the shared state); the other's call succeeds.
        Assert.Equal(1, (await GatherStatsAnswer.GetAsync(other, "calls=1")).Completed);
        Assert.Equal(1, (await GatherStatsAnswer.GetAsync(failing, "calls=1")).Completed);

        // Every call fails in the first instance's upstream: five in a row open its breaker.
        var failed = await GatherStatsAnswer.GetAsync(failing, "calls=10&fail=1");
        output.WriteLine("failing instance: " + failed);
        Assert.Equal("Open", failed.BreakerState);
        Assert.True(failed.Failed >= 5, failed.ToString());

        // The other instance made no failing call: its breaker opens on the announcement, and rejects its calls.
        var waited = Stopwatch.StartNew();
        GatherStatsAnswer answer;
        while (true)
        {
            answer = await GatherStatsAnswer.GetAsync(other, "calls=1");
            Assert.Equal(0, answer.Failed);
            if (answer.BreakerState == "Open")
            {
                break;
            }

            Assert.True(waited.Elapsed < s_announcementTimeout, $"The other instance is still {answer.BreakerState} {waited.Elapsed} after the first opened: {answer}\n{other.Output}");
            await Task.Delay(50);
        }

        output.WriteLine($"other instance, {waited.ElapsedMilliseconds} ms later: {answer}");
        Assert.Equal(1, answer.Rejected);
        Assert.Equal(1, answer.ErrorCount("BrokenCircuitException"));
        Assert.Equal(0, answer.Completed);
        Assert.Equal(0, answer.InstanceMax);
    }
}
