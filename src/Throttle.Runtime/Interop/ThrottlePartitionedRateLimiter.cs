using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace Throttle.Interop;

/// <summary>
/// A Throttle limiter as a System.Threading.RateLimiting <see cref="PartitionedRateLimiter{TResource}"/>: the resource
/// string is the partition and the limiter's key (the empty string included, see <see cref="PartitionKeys"/>). Each
/// partition has its own queue and statistics (<see cref="PartitionState"/>).
/// </summary>
/// <remarks>
/// Partition states are dropped once idle (no waiters, key full) when the number of partitions has doubled since the
/// last sweep, so memory follows the keys in use; a dropped partition's lease totals start again from zero, as those of
/// a partition <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/> evicts do.
/// </remarks>
internal sealed class ThrottlePartitionedRateLimiter(LimiterAdapter adapter) : PartitionedRateLimiter<string>
{
    private const int FirstSweep = 64;

    private readonly ConcurrentDictionary<string, PartitionState> _partitions = new(StringComparer.Ordinal);
    private readonly Func<string, PartitionState> _create = key => new PartitionState(adapter, LimiterAdapter.KeyOf(key));
    private int _sweepAt = FirstSweep;

    public override RateLimiterStatistics? GetStatistics(string resource)
    {
        var partition = Partition(resource);
        adapter.ThrowIfDisposed();
        return partition.GetStatistics();
    }

    protected override RateLimitLease AttemptAcquireCore(string resource, int permitCount)
    {
        adapter.ValidatePermits(permitCount);
        return Partition(resource).Attempt(permitCount);
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(string resource, int permitCount, CancellationToken cancellationToken)
    {
        adapter.ValidatePermits(permitCount);
        return Partition(resource).AcquireAsync(permitCount, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            adapter.Dispose(_partitions.Values);
        }

        base.Dispose(disposing);
    }

    // Hosts and DI containers dispose asynchronously: DisposeAsync ends the waits and refuses later calls as Dispose does.
    protected override ValueTask DisposeAsyncCore()
    {
        adapter.Dispose(_partitions.Values);
        return base.DisposeAsyncCore();
    }

    private PartitionState Partition(string resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (_partitions.TryGetValue(resource, out var partition))
        {
            return partition;
        }

        partition = _partitions.GetOrAdd(resource, _create);
        if (_partitions.Count >= Volatile.Read(ref _sweepAt))
        {
            Sweep(partition);
        }

        return partition;
    }

    private void Sweep(PartitionState inUse)
    {
        foreach (var (key, partition) in _partitions)
        {
            if (partition != inUse && partition.IdleDuration is not null)
            {
                _partitions.TryRemove(new(key, partition));
            }
        }

        Volatile.Write(ref _sweepAt, Math.Max(FirstSweep, _partitions.Count * 2));
    }
}
