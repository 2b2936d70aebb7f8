using System.Diagnostics.CodeAnalysis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Cluster;

/// <summary>
/// Tests that kill or fail over cluster nodes: one at a time, after every parallel collection (xunit runs collections
/// with parallelisation disabled last), so no other test sees the cluster change under it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "An xunit test collection.")]
public sealed class ClusterFailoverCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "redis-cluster-failover";
}
