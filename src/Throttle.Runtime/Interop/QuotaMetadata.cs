using System;

namespace Throttle.Interop;

/// <summary>Reads one of <see cref="ThrottleMetadataNames"/> off a decision's RetryAfter and quota.</summary>
internal static class QuotaMetadata
{
    public static bool TryGet(string metadataName, TimeSpan? retryAfter, Quota quota, out object? metadata)
    {
        if (metadataName == ThrottleMetadataNames.RetryAfter.Name && retryAfter is { } delay)
        {
            metadata = delay;
        }
        else if (metadataName == ThrottleMetadataNames.Limit.Name)
        {
            metadata = quota.Limit;
        }
        else if (metadataName == ThrottleMetadataNames.Remaining.Name)
        {
            metadata = quota.Remaining;
        }
        else if (metadataName == ThrottleMetadataNames.Reset.Name)
        {
            metadata = quota.Reset;
        }
        else
        {
            metadata = null;
            return false;
        }

        return true;
    }
}
