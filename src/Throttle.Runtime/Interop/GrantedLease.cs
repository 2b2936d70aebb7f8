using System;
using System.Collections.Generic;
using System.Threading.RateLimiting;

namespace Throttle.Interop;

/// <summary>
/// The granted lease of one key, shared by every grant on it so that a grant allocates nothing. Its metadata is the
/// key's quota after the latest decision (see <see cref="ThrottleMetadataNames"/>); it has no RetryAfter.
/// </summary>
internal sealed class GrantedLease(PartitionState partition) : RateLimitLease
{
    private static readonly string[] QuotaNames =
        [ThrottleMetadataNames.Limit.Name, ThrottleMetadataNames.Remaining.Name, ThrottleMetadataNames.Reset.Name];

    public override bool IsAcquired => true;

    public override IEnumerable<string> MetadataNames => QuotaNames;

    public override bool TryGetMetadata(string metadataName, out object? metadata) =>
        QuotaMetadata.TryGet(metadataName, retryAfter: null, partition.LastQuota, out metadata);
}
