using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Throttle.Internal;

namespace Throttle.Interop;

/// <summary>
/// A Throttle limiter as a System.Threading.RateLimiting <see cref="PartitionedRateLimiter{TResource}"/>: the resource
/// string is the key. Lease totals in the statistics are counted across all partitions.
/// </summary>
internal sealed class ThrottlePartitionedRateLimiter(LimiterAdapter adapter) : PartitionedRateLimiter<string>
{
    public override RateLimiterStatistics? GetStatistics(string resource) => adapter.GetStatistics(Guard.Key(resource, nameof(resource)));

    protected override RateLimitLease AttemptAcquireCore(string resource, int permitCount) =>
        adapter.Attempt(Guard.Key(resource, nameof(resource)), permitCount);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(string resource, int permitCount, CancellationToken cancellationToken) =>
        adapter.AcquireAsync(Guard.Key(resource, nameof(resource)), permitCount, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            adapter.Dispose();
        }

        base.Dispose(disposing);
    }

    // Hosts and DI containers dispose asynchronously: DisposeAsync must end the waits and refuse grants as Dispose does.
    protected override ValueTask DisposeAsyncCore()
    {
        adapter.Dispose();
        return base.DisposeAsyncCore();
    }
}
