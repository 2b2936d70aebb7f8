using System;
using System.Collections.Generic;
using System.Threading.RateLimiting;

namespace Throttle.Interop;

/// <summary>
/// A System.Threading.RateLimiting lease for a Throttle decision. Granted leases carry nothing and are shared; rejected
/// ones carry <see cref="MetadataName.RetryAfter"/>. Disposing returns nothing: like a token bucket's, the permits are spent.
/// </summary>
internal sealed class ThrottleLease : RateLimitLease
{
    public static readonly ThrottleLease Granted = new(true, null);

    private static readonly string[] RetryAfterNames = [MetadataName.RetryAfter.Name];
    private readonly TimeSpan? _retryAfter;

    private ThrottleLease(bool isAcquired, TimeSpan? retryAfter)
    {
        IsAcquired = isAcquired;
        _retryAfter = retryAfter;
    }

    public override bool IsAcquired { get; }

    public override IEnumerable<string> MetadataNames => _retryAfter is null ? [] : RetryAfterNames;

    public static ThrottleLease Rejected(TimeSpan retryAfter) => new(false, retryAfter);

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (_retryAfter is { } retryAfter && metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = retryAfter;
            return true;
        }

        metadata = null;
        return false;
    }
}
