using System;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Testing.Redis;

/// <summary>
/// A Redis server owned by one test (from <see cref="RedisServer.StartDedicatedAsync"/>): its own process or container
/// on its own port, which the test may <see cref="StopAsync"/> and <see cref="StartAsync"/> again to simulate an outage.
/// The port and <see cref="RedisServer.Endpoint"/> never change. Nothing is persisted: a restarted server is empty.
/// </summary>
public sealed class DedicatedRedisServer : RedisServer, IAsyncDisposable
{
    private readonly IRedisHost _host;

    internal DedicatedRedisServer(IRedisHost host, string description)
        : base(host.Endpoint, KindOf(host), description)
    {
        _host = host;
    }

    /// <summary>The port of <see cref="RedisServer.Endpoint"/>, the same across restarts.</summary>
    public int Port => _host.Port;

    /// <summary>Whether the server is running now.</summary>
    public bool IsRunning => _host.IsRunning;

    /// <summary>Stops the server (a process is killed outright) and returns once it is gone and its port is closed.</summary>
    public Task StopAsync() => _host.StopAsync();

    /// <summary>Starts the server again on the same port and returns once it answers PING. Does nothing if it is running.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    public Task StartAsync(CancellationToken cancellationToken = default) => _host.StartAsync(cancellationToken);

    /// <summary>Stops the server for good and removes what it left behind.</summary>
    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
