using System;
using System.Threading;
using System.Threading.Tasks;
using DotNet.Testcontainers.Containers;
using Testcontainers.Redis;

namespace Throttle.Testing.Redis;

/// <summary>
/// A Redis container started through Testcontainers.Redis (image <see cref="RedisAvailability.Image"/>).
/// A restartable one is bound to a fixed host port so that a restart keeps its endpoint.
/// </summary>
internal sealed class RedisContainerHost : IRedisHost
{
    private static readonly TimeSpan s_disposeTimeout = TimeSpan.FromSeconds(30);

    private readonly RedisContainer _container;
    private readonly int? _fixedPort;

    private RedisContainerHost(RedisContainer container, int? fixedPort)
    {
        _container = container;
        _fixedPort = fixedPort;
    }

    public int Port => _fixedPort ?? _container.GetMappedPublicPort(RedisBuilder.RedisPort);

    public string Endpoint => _fixedPort is null ? _container.GetConnectionString() : $"{_container.Hostname}:{_fixedPort}";

    public string Description => $"Redis container ({RedisAvailability.Image}) at {Endpoint}";

    public bool IsRunning => _container.State == TestcontainersStates.Running;

    /// <summary>Starts a container; with <paramref name="fixedPort"/>, on a host port that survives restarts.</summary>
    public static async Task<RedisContainerHost> StartNewAsync(bool fixedPort, CancellationToken cancellationToken)
    {
        var builder = new RedisBuilder(RedisAvailability.Image);
        int? port = null;
        if (fixedPort)
        {
            port = LoopbackPort.GetFree();
            builder = builder.WithPortBinding(port.Value, RedisBuilder.RedisPort);
        }

        var host = new RedisContainerHost(builder.Build(), port);
        HostCleanup.Track(host);
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => _container.StartAsync(cancellationToken);

    public Task StopAsync() => _container.StopAsync();

    public void Kill() => _container.DisposeAsync().AsTask().Wait(s_disposeTimeout);

    public async ValueTask DisposeAsync()
    {
        HostCleanup.Untrack(this);
        await _container.DisposeAsync().ConfigureAwait(false);
    }
}
