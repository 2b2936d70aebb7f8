using System;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;

namespace Throttle.Tests.Cluster;

/// <summary>Storages on the cluster under a key prefix of the test's own, as the Redis storage tests make them on one server.</summary>
internal static class ClusterTestHelpers
{
    /// <summary>A key prefix of the test's own, usable as <see cref="RedisStorageOptions.KeyPrefix"/>.</summary>
    public static string StoragePrefix(this RedisClusterFixture cluster, string testName) => cluster.KeyPrefix(testName).TrimEnd(':');

    /// <summary>A <see cref="RedisStorage"/> on the fixture's cluster connection: the same code path as on one server.</summary>
    public static RedisStorage CreateStorage(this RedisClusterFixture cluster, string prefix, Action<RedisStorageOptions>? configure = null)
    {
        var options = new RedisStorageOptions { KeyPrefix = prefix, OperationTimeout = TimeSpan.FromSeconds(10) };
        configure?.Invoke(options);
        return new RedisStorage(cluster.Connection, options);
    }
}
