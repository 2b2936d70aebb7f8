using System;
using System.Threading.Tasks;
using Throttle.Storage;
using Throttle.Testing.Redis;
using Throttle.Tests.Limiters.Contract;
using Throttle.Tests.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Cluster;

/// <summary>
/// The leaky bucket contract on a Redis Cluster. Start times are measured on a server's clock (<c>TIME</c> on any
/// node: the nodes share this machine's clock, as nodes synchronised by NTP roughly would).
/// </summary>
public sealed class ClusterLeakyBucketContractTests(RedisClusterFixture cluster) : LeakyBucketContractTests, IClassFixture<RedisClusterFixture>
{
    protected override bool SupportsFakeTime => false;

    protected override ValueTask<ThrottleStorage> CreateStorageAsync(TimeProvider clock) =>
        new(cluster.CreateStorage(cluster.StoragePrefix("leaky-" + Guid.NewGuid().ToString("N"))));

    protected override Task<double> NowAsync() => cluster.Database.ServerSecondsAsync();
}
