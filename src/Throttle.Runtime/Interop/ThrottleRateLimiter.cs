using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace Throttle.Interop;

/// <summary>
/// One key of a Throttle limiter as a System.Threading.RateLimiting <see cref="RateLimiter"/>; see
/// <see cref="PartitionState"/> for the semantics and <see cref="LimiterAdapter"/> for disposal.
/// </summary>
internal sealed class ThrottleRateLimiter : RateLimiter
{
    private readonly LimiterAdapter _adapter;
    private readonly PartitionState _partition;

    public ThrottleRateLimiter(LimiterAdapter adapter, string key)
    {
        _adapter = adapter;
        _partition = new PartitionState(adapter, LimiterAdapter.KeyOf(key));
    }

    /// <summary>
    /// Null while acquisitions wait or the key is not full; else how long it has been full, so that
    /// <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/> disposes views of idle keys.
    /// </summary>
    public override TimeSpan? IdleDuration => _partition.IdleDuration;

    public override RateLimiterStatistics? GetStatistics()
    {
        _adapter.ThrowIfDisposed();
        return _partition.GetStatistics();
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        _adapter.ValidatePermits(permitCount);
        return _partition.Attempt(permitCount);
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        _adapter.ValidatePermits(permitCount);
        return _partition.AcquireAsync(permitCount, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _adapter.Dispose([_partition]);
        }

        base.Dispose(disposing);
    }

    // Hosts and DI containers dispose asynchronously: DisposeAsync ends the waits and refuses later calls as Dispose does.
    protected override ValueTask DisposeAsyncCore()
    {
        _adapter.Dispose([_partition]);
        return base.DisposeAsyncCore();
    }
}
