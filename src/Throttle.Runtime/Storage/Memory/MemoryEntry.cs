namespace Throttle.Storage;

/// <summary>
/// Base of every value a <see cref="MemoryStorage"/> keyspace holds. Carries what eviction needs; the entry object is
/// also the lock that guards its own state, so one key never blocks another.
/// </summary>
internal abstract class MemoryEntry
{
    protected MemoryEntry(string key, long now)
    {
        Key = key;
        LastAccess = now;
    }

    public string Key { get; }

    /// <summary>TimeProvider timestamp of the last read or write; the LRU order.</summary>
    public long LastAccess;

    /// <summary>The keyspace holding the entry (set before it is published), so a sweep can remove it without a lookup table.</summary>
    public IMemoryKeyspace? Owner;

    /// <summary>Set (under the entry's lock) once the entry has left its keyspace; users of a stale reference look it up again.</summary>
    public bool Removed;

    /// <summary>Whether the entry is now indistinguishable from a fresh one (or past its TTL), so dropping it changes nothing.</summary>
    public abstract bool IsExpired(long now);
}
