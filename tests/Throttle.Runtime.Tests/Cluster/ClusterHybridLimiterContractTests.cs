using System;
using System.Threading.Tasks;
using Throttle.Storage;
using Throttle.Storage.Hybrid;
using Throttle.Testing.Redis;
using Throttle.Tests.Limiters.Contract;
using Xunit;

namespace Throttle.Tests.Cluster;

/// <summary>The limiter contract on <see cref="HybridStorage"/> whose Redis is a cluster: the L1 cache must not make a limiter less exact there either.</summary>
public sealed class ClusterHybridLimiterContractTests(RedisClusterFixture cluster) : LimiterContractTests, IClassFixture<RedisClusterFixture>
{
    protected override bool SupportsFakeTime => false;

    protected override ValueTask<ThrottleStorage> CreateStorageAsync(TimeProvider clock) =>
        new(new HybridStorage(cluster.CreateStorage(cluster.StoragePrefix("hybrid-" + Guid.NewGuid().ToString("N"))), l1Size: 1_000));
}
