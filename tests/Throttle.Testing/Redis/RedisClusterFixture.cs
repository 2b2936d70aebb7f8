using System;
using System.Threading.Tasks;
using StackExchange.Redis;
using Xunit;

namespace Throttle.Testing.Redis;

/// <summary>
/// xunit fixture giving tests the process-wide <see cref="RedisCluster"/> (<see cref="RedisCluster.GetSharedAsync"/>) and
/// a connection to it through StackExchange.Redis' cluster support. Use it as a class fixture
/// (<c>IClassFixture&lt;RedisClusterFixture&gt;</c>: classes run in parallel on the one cluster) or in a collection; tests
/// that kill or fail over nodes belong in a collection with <c>DisableParallelization = true</c>, which xunit runs after
/// the parallel ones. Mark tests <see cref="RedisClusterFactAttribute"/> or <see cref="RedisClusterTheoryAttribute"/>.
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private RedisCluster? _cluster;
    private ConnectionMultiplexer? _connection;

    /// <summary>The shared cluster. Throws <see cref="RedisUnavailableException"/> when it cannot be started here.</summary>
    public RedisCluster Cluster => _cluster ?? throw Unavailable();

    /// <summary>A connection to the cluster (every master connected), shared by the fixture's tests; do not dispose it.</summary>
    public ConnectionMultiplexer Connection => _connection ?? throw Unavailable();

    /// <summary>Database 0 through <see cref="Connection"/>.</summary>
    public IDatabase Database => Connection.GetDatabase();

    /// <summary>A key prefix unique to this call (see <see cref="RedisServer.KeyPrefix"/>).</summary>
    /// <param name="testName">A readable name.</param>
    public string KeyPrefix(string testName) => RedisServer.KeyPrefix(testName);

    /// <summary>
    /// Starts (or joins) the shared cluster and connects. Without redis-server or redis-cli this does nothing (the tests
    /// skip), unless <c>THROTTLE_REQUIRE_REDIS=1</c>, when it throws so that every test fails with the reason. A cluster
    /// that fails to start always throws.
    /// </summary>
    public async Task InitializeAsync()
    {
        if (!RedisCluster.IsAvailable && !RedisAvailability.IsRequired)
        {
            return;
        }

        var cluster = await RedisCluster.GetSharedAsync().ConfigureAwait(false);
        _connection = await cluster.ConnectAsync().ConfigureAwait(false);
        _cluster = cluster;
    }

    /// <summary>Closes the fixture's connection; the cluster runs until the test process exits.</summary>
    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }

    private static RedisUnavailableException Unavailable() => new(RedisCluster.GetSkipReason() ?? "The Redis Cluster fixture was not initialised.");
}
