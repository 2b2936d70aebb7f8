using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace Throttle.Interop;

/// <summary>One key of a Throttle limiter as a System.Threading.RateLimiting <see cref="RateLimiter"/>; see <see cref="LimiterAdapter"/>.</summary>
internal sealed class ThrottleRateLimiter(LimiterAdapter adapter, string key) : RateLimiter
{
    /// <summary>Always null: the underlying limiter is shared, so this view never knows it is idle.</summary>
    public override TimeSpan? IdleDuration => null;

    public override RateLimiterStatistics? GetStatistics() => adapter.GetStatistics(key);

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => adapter.Attempt(key, permitCount);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        adapter.AcquireAsync(key, permitCount, cancellationToken);

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
