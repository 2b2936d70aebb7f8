using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Throttle.Storage;

namespace Throttle.Hosting.DependencyInjection;

/// <summary>
/// The named storages <see cref="ThrottleBuilder.AddStorage(string, Func{IServiceProvider, ThrottleRuntime, ThrottleStorage})"/>
/// built: the runtime does not own them, so the container disposes them, after the runtime (this singleton is resolved first).
/// </summary>
internal sealed class HostStorages : IAsyncDisposable, IDisposable
{
    private readonly List<ThrottleStorage> _storages = [];

    public void Add(ThrottleStorage storage) => _storages.Add(storage);

    public async ValueTask DisposeAsync()
    {
        foreach (var storage in _storages)
        {
            await storage.DisposeAsync().ConfigureAwait(false);
        }

        _storages.Clear();
    }

    public void Dispose()
    {
        foreach (var storage in _storages)
        {
            storage.Dispose();
        }

        _storages.Clear();
    }
}
