namespace Throttle.Storage.Memory;

/// <summary>One key/value pair of <see cref="MemoryStorage"/>'s own key/value operations, with an optional expiry.</summary>
internal sealed class KeyValueEntry : MemoryEntry
{
    /// <summary>No expiry.</summary>
    public const long Never = long.MaxValue;

    public KeyValueEntry(string key, long now, string value, long expiresAt)
        : base(key, now)
    {
        Value = value;
        ExpiresAt = expiresAt;
    }

    /// <summary>Guarded by the entry's gate (<see cref="MemoryEntry.Hold"/>).</summary>
    public string Value;

    /// <summary>Timestamp at which the value expires, or <see cref="Never"/>. Guarded by the entry's gate (<see cref="MemoryEntry.Hold"/>).</summary>
    public long ExpiresAt;

    public override bool IsExpired(long now) => now >= ExpiresAt;
}
