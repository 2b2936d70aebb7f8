using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Xunit;

namespace Throttle.Testing.Redis;

/// <summary>
/// xunit fixture giving tests the process-wide shared Redis server (<see cref="RedisServer.GetSharedAsync"/>) and a
/// connection to it. Use it as a collection fixture (<see cref="CollectionName"/>; the test project declares the
/// collection, see the remarks) or as a class fixture (<c>IClassFixture&lt;RedisFixture&gt;</c>): either way every
/// fixture instance shares the one server. Mark the tests <see cref="RedisFactAttribute"/> or
/// <see cref="RedisTheoryAttribute"/> so they skip when Redis is unavailable.
/// </summary>
/// <remarks>
/// xunit only finds collection definitions in the test assembly, so each test project adds:
/// <code>
/// [CollectionDefinition(RedisFixture.CollectionName)]
/// public sealed class RedisCollection : ICollectionFixture&lt;RedisFixture&gt; { }
/// </code>
/// Tests in one collection run one after another; classes using <c>IClassFixture&lt;RedisFixture&gt;</c> run in parallel.
/// Both share one server, so each test keeps to its own keys (<see cref="KeyPrefix"/>).
/// </remarks>
public sealed class RedisFixture : IAsyncLifetime
{
    /// <summary>The name of the Redis test collection.</summary>
    public const string CollectionName = "redis";

    private RedisServer? _server;
    private ConnectionMultiplexer? _connection;

    /// <summary>The shared server. Throws <see cref="RedisUnavailableException"/> when Redis is unavailable.</summary>
    public RedisServer Server => _server ?? throw RedisAvailability.CreateUnavailableException(dedicatedServer: false);

    /// <summary>host:port of the shared server.</summary>
    public string Endpoint => Server.Endpoint;

    /// <summary>A connection to the shared server, opened by the fixture and shared by its tests; do not dispose it.</summary>
    public ConnectionMultiplexer Connection =>
        _connection ?? throw RedisAvailability.CreateUnavailableException(dedicatedServer: false);

    /// <summary>Database 0 through <see cref="Connection"/>.</summary>
    public IDatabase Database => Connection.GetDatabase();

    /// <summary>See <see cref="RedisServer.CreateOptions"/>.</summary>
    public ConfigurationOptions CreateOptions() => Server.CreateOptions();

    /// <summary>Opens a connection of the test's own to the shared server (see <see cref="RedisServer.ConnectAsync"/>); the test disposes it.</summary>
    /// <param name="configure">Changes to the options, or <see langword="null"/>.</param>
    public Task<ConnectionMultiplexer> ConnectAsync(Action<ConfigurationOptions>? configure = null) => Server.ConnectAsync(configure);

    /// <summary>A key prefix unique to this call (see <see cref="RedisServer.KeyPrefix"/>); defaults to the calling method's name.</summary>
    /// <param name="testName">A readable name; filled in by the compiler.</param>
    public string KeyPrefix([CallerMemberName] string testName = "") => RedisServer.KeyPrefix(testName);

    /// <summary>See <see cref="RedisServer.StartDedicatedAsync"/>.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    public Task<DedicatedRedisServer> StartDedicatedAsync(CancellationToken cancellationToken = default) =>
        RedisServer.StartDedicatedAsync(cancellationToken);

    /// <summary>
    /// Resolves the shared server and connects. When Redis is unavailable this does nothing (the tests skip), unless
    /// <c>THROTTLE_REQUIRE_REDIS=1</c>, when it throws so that every test of the fixture fails with the reason.
    /// A server that exists but fails to start or answer always throws.
    /// </summary>
    public async Task InitializeAsync()
    {
        if (!RedisAvailability.IsSharedServerAvailable)
        {
            if (RedisAvailability.IsRequired)
            {
                throw RedisAvailability.CreateUnavailableException(dedicatedServer: false);
            }

            return;
        }

        var server = await RedisServer.GetSharedAsync().ConfigureAwait(false);
        _connection = await server.ConnectAsync().ConfigureAwait(false);
        _server = server;
    }

    /// <summary>Closes the fixture's connection. The shared server keeps running until the test process exits.</summary>
    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }
}
