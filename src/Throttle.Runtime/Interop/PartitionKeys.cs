using System;

namespace Throttle.Interop;

/// <summary>
/// Partition keys to limiter keys. STRL allows any string as a partition, the empty one included
/// (<c>ctx.User.Identity?.Name ?? ""</c>), but a limiter key is never empty. The map is one-to-one and leaves every
/// key that does not start with U+0000 as it is, so a view shares state with direct use of the limiter:
/// <c>""</c> becomes <c>"\0"</c>, and a key starting with U+0000 gets one more in front.
/// </summary>
internal static class PartitionKeys
{
    private const char Escape = '\0';

    public static string ToLimiterKey(string partitionKey)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        if (partitionKey.Length == 0)
        {
            return "\0";
        }

        return partitionKey[0] == Escape ? Escape + partitionKey : partitionKey;
    }
}
