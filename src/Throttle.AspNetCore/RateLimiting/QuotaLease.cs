using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.RateLimiting;
using Throttle.Limiters;

namespace Throttle.AspNetCore.RateLimiting;

/// <summary>A rejected lease with its partition's quota (<see cref="ThrottleLeaseMetadata"/>) beside the lease's own metadata.</summary>
internal sealed class QuotaLease : RateLimitLease
{
    private static readonly string[] QuotaNames =
        [ThrottleLeaseMetadata.Limit.Name, ThrottleLeaseMetadata.Remaining.Name, ThrottleLeaseMetadata.Reset.Name];

    private readonly RateLimitLease _inner;
    private readonly long _limit;
    private readonly long _remaining;
    private readonly TimeSpan _reset;

    public QuotaLease(RateLimitLease inner, LimiterStats stats)
    {
        _inner = inner;
        _limit = (long)Math.Floor(stats.MaxTokens);
        _remaining = (long)Math.Max(0, Math.Floor(stats.AvailableTokens));
        _reset = UntilFull(stats);
    }

    public override bool IsAcquired => _inner.IsAcquired;

    public override IEnumerable<string> MetadataNames => _inner.MetadataNames.Concat(QuotaNames);

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (metadataName == ThrottleLeaseMetadata.Limit.Name)
        {
            metadata = _limit;
            return true;
        }

        if (metadataName == ThrottleLeaseMetadata.Remaining.Name)
        {
            metadata = _remaining;
            return true;
        }

        if (metadataName == ThrottleLeaseMetadata.Reset.Name)
        {
            metadata = _reset;
            return true;
        }

        return _inner.TryGetMetadata(metadataName, out metadata);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    // Saturates: a very slow limit refills beyond what a TimeSpan holds.
    private static TimeSpan UntilFull(LimiterStats stats)
    {
        var missing = Math.Max(0, stats.MaxTokens - stats.AvailableTokens);
        if (missing == 0)
        {
            return TimeSpan.Zero;
        }

        var seconds = stats.RefillRate > 0 ? missing / stats.RefillRate : double.PositiveInfinity;
        return seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
    }
}
