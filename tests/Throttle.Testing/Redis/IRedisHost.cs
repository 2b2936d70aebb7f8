using System;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Testing.Redis;

/// <summary>A Redis server this process started and owns: a child process or a container.</summary>
internal interface IRedisHost : IAsyncDisposable
{
    /// <summary>host:port; the same across <see cref="StopAsync"/> and <see cref="StartAsync"/>.</summary>
    string Endpoint { get; }

    /// <summary>The port of <see cref="Endpoint"/>.</summary>
    int Port { get; }

    /// <summary>What runs where, for messages.</summary>
    string Description { get; }

    /// <summary>Whether the server is running.</summary>
    bool IsRunning { get; }

    /// <summary>Starts the server (again) on <see cref="Port"/> and returns once it answers PING.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Stops the server (a process is killed outright) and waits until it is gone; its data is lost.</summary>
    Task StopAsync();

    /// <summary>Best-effort synchronous stop for process exit.</summary>
    void Kill();
}
