using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters.Backends;

namespace Throttle.Storage;

// Placeholder seam: the key/value operations and limiter backends of MemoryStorage land with the limiter family (issue 3).
public sealed partial class MemoryStorage
{
    /// <inheritdoc/>
    public override ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc/>
    public override ValueTask SetAsync(string key, string value, TimeSpan? ttl = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc/>
    public override ValueTask<double> IncrementAsync(string key, double delta = 1, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc/>
    public override ValueTask<double> DecrementAsync(string key, double delta = 1, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc/>
    public override ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc/>
    public override ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    internal override ILimiterBackend CreateLimiterBackend(LimiterDefinition definition) => throw new NotImplementedException();
}
