using System;
using System.Collections.Generic;
using System.Threading.RateLimiting;

namespace Throttle.Interop;

/// <summary>
/// A failed System.Threading.RateLimiting lease: from a decision it carries <see cref="ThrottleMetadataNames.RetryAfter"/>
/// and the key's quota (see <see cref="ThrottleMetadataNames"/>); with no decision behind it, nothing. Granted leases are
/// <see cref="GrantedLease"/>. Disposing a lease returns nothing: as with a token bucket's, the permits are spent.
/// </summary>
internal sealed class ThrottleLease : RateLimitLease
{
    /// <summary>A synchronous attempt on remote storage: failed at once, without asking the storage.</summary>
    public static readonly ThrottleLease NotAttempted = new(null, default);

    /// <summary>A queued acquisition ended by disposing the limiter.</summary>
    public static readonly ThrottleLease Disposed = new(null, default);

    private static readonly string[] QuotaNames =
    [
        ThrottleMetadataNames.RetryAfter.Name, ThrottleMetadataNames.Limit.Name, ThrottleMetadataNames.Remaining.Name, ThrottleMetadataNames.Reset.Name,
    ];

    private readonly TimeSpan? _retryAfter;
    private readonly Quota _quota;

    private ThrottleLease(TimeSpan? retryAfter, Quota quota)
    {
        _retryAfter = retryAfter;
        _quota = quota;
    }

    public override bool IsAcquired => false;

    public override IEnumerable<string> MetadataNames => _retryAfter is null ? [] : QuotaNames;

    public static ThrottleLease Rejected(TimeSpan retryAfter, Quota quota) => new(retryAfter, quota);

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (_retryAfter is { } retryAfter && QuotaMetadata.TryGet(metadataName, retryAfter, _quota, out metadata))
        {
            return true;
        }

        metadata = null;
        return false;
    }
}
