using System;
using System.Linq;
using System.Threading.Tasks;
using Throttle.Testing.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Samples.Tests;

/// <summary>Two instances on one Redis server share the upstream's licences across processes.</summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisClusterGatherStatsTests(RedisFixture redis, ITestOutputHelper output)
{
    private const int Licences = 3;

    // The sample's Redis set of callers inside the upstream (SimulatedUpstream.CallersKey).
    private const string CallersKey = "gatherstats:{upstream-licences}:callers";

    [RedisFact]
    public async Task Two_instances_called_at_once_never_exceed_the_licences_together()
    {
        await using var first = await SampleProcess.StartAsync(redis.Endpoint);
        await using var second = await SampleProcess.StartAsync(redis.Endpoint);

        // 30 calls of 100 ms each on both at once: with licences per process the upstream would see up to 6 callers.
        var answers = await Task.WhenAll(
            GatherStatsAnswer.GetAsync(first, "calls=30"),
            GatherStatsAnswer.GetAsync(second, "calls=30"));
        foreach (var answer in answers)
        {
            output.WriteLine(answer.ToString());
        }

        var (a, b) = (answers[0], answers[1]);
        Assert.All(answers, answer =>
        {
            Assert.Equal("redis", answer.Mode);
            Assert.Equal(30, answer.Completed);
            Assert.Equal(0, answer.Rejected + answer.Failed);
            Assert.InRange(answer.InstanceMax, 1, Licences);
            Assert.InRange(answer.ClusterMax.GetInt64(), answer.InstanceMax, Licences);
            Assert.Equal("Closed", answer.BreakerState);
        });

        // The two fan-outs ran at the same time, so the shared bound was tested, not two bounds one after the other.
        Assert.True(a.StartedAt < b.FinishedAt && b.StartedAt < a.FinishedAt, $"The requests did not overlap:\n{a}\n{b}");

        // Each caller reports the count it made on entry, so the larger of the two is the cluster's peak.
        var clusterMax = answers.Max(answer => answer.ClusterMax.GetInt64());
        Assert.Equal(Licences, clusterMax);

        // Every caller left: nothing is counted inside the upstream any more.
        Assert.Equal(0, await redis.Database.SortedSetLengthAsync(CallersKey));
    }

    [RedisFact]
    public async Task Root_page_names_the_redis_endpoint()
    {
        await using var sample = await SampleProcess.StartAsync(redis.Endpoint);

        var text = await sample.Http.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.Contains($"(redis at {redis.Endpoint},", text, StringComparison.Ordinal);
    }
}
