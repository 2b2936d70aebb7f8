using System.Threading.Tasks;
using Xunit;

namespace Throttle.Samples.Tests;

/// <summary>One in-memory GatherStats instance shared by the tests of a class; killed when they are done.</summary>
public sealed class MemoryInstanceFixture : IAsyncLifetime
{
    private SampleProcess? _sample;

    internal SampleProcess Sample => _sample!;

    public async Task InitializeAsync() => _sample = await SampleProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_sample is not null)
        {
            await _sample.DisposeAsync();
        }
    }
}
