using System;
using System.Linq;
using System.Threading.Tasks;
using Throttle.Testing.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Tests.Cluster;

/// <summary>The fixture itself: a real cluster of three masters with a replica each, reached through StackExchange.Redis.</summary>
public sealed class RedisClusterFixtureTests(RedisClusterFixture cluster, ITestOutputHelper output) : IClassFixture<RedisClusterFixture>
{
    [RedisClusterFact]
    public async Task The_cluster_has_three_masters_with_one_synced_replica_each_and_the_client_sees_them()
    {
        output.WriteLine($"{cluster.Cluster} started in {cluster.Cluster.StartupTime.TotalSeconds:0.0} s");
        var masters = await cluster.Cluster.MastersAsync();
        Assert.Equal(RedisCluster.MasterCount, masters.Count);
        foreach (var master in masters)
        {
            var replica = await cluster.Cluster.ReplicaOfAsync(master);
            Assert.Equal("slave", await replica.InfoFieldAsync("replication", "role"));
            Assert.Equal("up", await replica.InfoFieldAsync("replication", "master_link_status"));
            Assert.Equal("master", await master.InfoFieldAsync("replication", "role"));
        }

        var servers = cluster.Connection.GetServers();
        Assert.Equal(RedisCluster.MasterCount, servers.Count(s => !s.IsReplica && s.IsConnected));
        Assert.All(servers, s => Assert.Equal(StackExchange.Redis.ServerType.Cluster, s.ServerType));
    }

    [RedisClusterFact]
    public async Task A_key_written_through_the_client_is_on_the_master_of_its_slot_and_nowhere_else_among_masters()
    {
        var key = cluster.KeyPrefix(nameof(A_key_written_through_the_client_is_on_the_master_of_its_slot_and_nowhere_else_among_masters)) + "k";
        await cluster.Database.StringSetAsync(key, "v", TimeSpan.FromMinutes(1));

        var owner = await cluster.Cluster.MasterOfKeyAsync(key);
        Assert.Equal(1, (await owner.SendAsync("EXISTS", key)).ExpectNumber());
        foreach (var other in (await cluster.Cluster.MastersAsync()).Where(m => m.Port != owner.Port))
        {
            var reply = await other.SendAsync("GET", key);
            Assert.StartsWith("MOVED " + await cluster.Cluster.KeySlotAsync(key) + " ", reply.Error, StringComparison.Ordinal);
        }
    }
}
