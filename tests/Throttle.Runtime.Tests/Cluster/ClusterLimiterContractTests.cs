using System;
using System.Threading.Tasks;
using Throttle.Storage;
using Throttle.Testing.Redis;
using Throttle.Tests.Limiters.Contract;
using Xunit;

namespace Throttle.Tests.Cluster;

/// <summary>
/// The limiter contract, every algorithm, on <see cref="Storage.Redis.RedisStorage"/> over a Redis Cluster connection:
/// the same storage and scripts as on one server, routed by the hash tag. Without a cluster these fail with the fixture's reason.
/// </summary>
public sealed class ClusterLimiterContractTests(RedisClusterFixture cluster) : LimiterContractTests, IClassFixture<RedisClusterFixture>
{
    protected override bool SupportsFakeTime => false;

    protected override ValueTask<ThrottleStorage> CreateStorageAsync(TimeProvider clock) =>
        new(cluster.CreateStorage(cluster.StoragePrefix("contract-" + Guid.NewGuid().ToString("N"))));
}
