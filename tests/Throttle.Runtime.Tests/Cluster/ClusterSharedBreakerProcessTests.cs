using System.Globalization;
using System.Threading.Tasks;
using Throttle.Testing.Redis;
using Throttle.Tests.Resilience;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Tests.Cluster;

/// <summary>
/// The shared breaker's cross-process scenario (<see cref="SharedBreakerProcessScenario"/>) on the Redis Cluster: three
/// OS processes (tests/Throttle.Breaker.Worker), each connected with the cluster's connection string (its masters'
/// endpoints, comma-separated) as an application would be, so the breaker's slot lives on one master and each
/// process's announcements reach the others through sharded pub/sub there.
/// </summary>
public sealed class ClusterSharedBreakerProcessTests(RedisClusterFixture cluster, ITestOutputHelper output) : IClassFixture<RedisClusterFixture>
{
    [RedisClusterFact]
    public Task Failures_in_one_process_open_all_three_one_trial_runs_across_them_and_its_success_closes_all() =>
        SharedBreakerProcessScenario.RunAsync(
            cluster.Cluster.ConnectionString,
            cluster.StoragePrefix(nameof(Failures_in_one_process_open_all_three_one_trial_runs_across_them_and_its_success_closes_all)),
            "Cluster " + RedisCluster.MasterCount.ToString(CultureInfo.InvariantCulture),
            output);
}
