using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Throttle.Interop;
using Throttle.Limiters;
using Throttle.Storage;

namespace Throttle.AspNetCore.RateLimiting;

/// <summary>
/// One partition of a Throttle policy: the limiter's key as a <see cref="RateLimiter"/> (the runtime's adapter), plus,
/// when the policy asks for <c>RateLimit-*</c> headers, the partition's quota on a rejected lease. The middleware asks
/// <see cref="RateLimiter.AttemptAcquire"/> first and, when that fails, <see cref="RateLimiter.AcquireAsync"/>: a
/// rejection always ends on the async path, where reading the quota is a plain await.
/// </summary>
internal sealed class ThrottlePartitionLimiter : RateLimiter
{
    private readonly ThrottleLimiter _limiter;
    private readonly string _key;
    private readonly bool _includeQuota;
    private readonly RateLimiter _inner;

    public ThrottlePartitionLimiter(ThrottleLimiter limiter, string key, ThrottlePolicyOptions options)
    {
        _limiter = limiter;
        _key = key;
        _includeQuota = options.IncludeRateLimitHeaders;
        _inner = limiter.AsRateLimiter(key, options.MaxWait);
    }

    public override TimeSpan? IdleDuration => _inner.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => _inner.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => _inner.AttemptAcquire(permitCount);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        var pending = _inner.AcquireAsync(permitCount, cancellationToken);
        return _includeQuota ? WithQuotaAsync(pending, cancellationToken) : pending;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    private ValueTask<RateLimitLease> WithQuotaAsync(ValueTask<RateLimitLease> pending, CancellationToken cancellationToken)
    {
        if (pending.IsCompletedSuccessfully)
        {
            var lease = pending.Result;
            return lease.IsAcquired ? new ValueTask<RateLimitLease>(lease) : AddQuotaAsync(lease, cancellationToken);
        }

        return AwaitThenAddQuotaAsync(pending, cancellationToken);
    }

    private async ValueTask<RateLimitLease> AwaitThenAddQuotaAsync(ValueTask<RateLimitLease> pending, CancellationToken cancellationToken) =>
        await AddQuotaAsync(await pending.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async ValueTask<RateLimitLease> AddQuotaAsync(RateLimitLease lease, CancellationToken cancellationToken)
    {
        if (lease.IsAcquired || lease.TryGetMetadata(ThrottleLeaseMetadata.Limit, out _))
        {
            return lease;
        }

        LimiterStats stats;
        try
        {
            stats = await _limiter.GetStatsAsync(_key, cancellationToken).ConfigureAwait(false);
        }
        catch (ThrottleStorageException)
        {
            // The rejection stands without its quota: the headers are a courtesy, the storage is what failed.
            return lease;
        }

        return new QuotaLease(lease, stats);
    }
}
