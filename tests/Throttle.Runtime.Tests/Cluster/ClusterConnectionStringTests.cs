using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Throttle.Tests.Storage.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Tests.Cluster;

/// <summary>A cluster connection string naming a node that does not answer: the failure policy while connecting, never a hang, then the cluster.</summary>
public sealed class ClusterConnectionStringTests(RedisClusterFixture cluster, ITestOutputHelper output) : IClassFixture<RedisClusterFixture>
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    [RedisClusterFact]
    public async Task A_connection_string_with_an_unreachable_node_first_reaches_the_cluster_by_itself()
    {
        var dead = "127.0.0.1:" + RedisTestHelpers.FreePort().ToString(CultureInfo.InvariantCulture);
        var prefix = cluster.StoragePrefix(nameof(A_connection_string_with_an_unreachable_node_first_reaches_the_cluster_by_itself));
        await using var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions().ConnectRedis(
            dead + "," + cluster.Cluster.ConnectionString,
            new RedisStorageOptions { KeyPrefix = prefix, OperationTimeout = OperationTimeout, FailureMode = StorageFailureMode.FailClosed, FailClosedRetryAfter = TimeSpan.FromSeconds(3) }));
        var limiter = new TokenBucketLimiter(100, per: 1, storage: runtime.Storage, scope: "s");

        var clock = Stopwatch.StartNew();
        var policyRejections = 0;
        while (true)
        {
            var started = clock.Elapsed;
            var decision = await limiter.AttemptAcquireAsync("k");
            Assert.True(clock.Elapsed - started <= OperationTimeout + Slack, $"a call took {clock.Elapsed - started}");
            if (decision.IsAcquired)
            {
                break;
            }

            // Until connected, the policy rejects (its RetryAfter); never an exception, never a hang.
            Assert.Equal(TimeSpan.FromSeconds(3), decision.RetryAfter);
            policyRejections++;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "never reached the cluster");
        }

        output.WriteLine($"first admission after {clock.Elapsed.TotalMilliseconds:0} ms, {policyRejections} rejections by the policy before");

        // From then on every key is served, whichever master owns it.
        for (var i = 0; i < 20; i++)
        {
            Assert.True(await limiter.TryAcquireAsync("k-" + i.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
