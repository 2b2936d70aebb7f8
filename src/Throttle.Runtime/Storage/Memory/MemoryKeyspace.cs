using System;
using System.Collections.Concurrent;
using System.Collections.Generic;

namespace Throttle.Storage;

/// <summary>Untyped view of a keyspace, for the storage's eviction sweeps.</summary>
internal interface IMemoryKeyspace
{
    string Name { get; }

    void CollectEntries(List<MemoryEntry> into);

    bool TryRemove(MemoryEntry entry);
}

/// <summary>
/// One limiter kind's entries inside a <see cref="MemoryStorage"/>, keyed by string. Lookups of existing keys do not
/// allocate; new keys count against the storage's shared size budget.
/// </summary>
internal sealed class MemoryKeyspace<TEntry> : IMemoryKeyspace
    where TEntry : MemoryEntry
{
    private readonly ConcurrentDictionary<string, TEntry> _entries = new(StringComparer.Ordinal);
    private readonly MemoryStorage _storage;

    public MemoryKeyspace(MemoryStorage storage, string name)
    {
        _storage = storage;
        Name = name;
    }

    public string Name { get; }

    public int Count => _entries.Count;

    /// <summary>The live entry for <paramref name="key"/>, created by <paramref name="create"/> when absent.</summary>
    public TEntry GetOrAdd<TArg>(string key, long now, Func<string, long, TArg, TEntry> create, TArg argument)
    {
        if (_entries.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var created = create(key, now, argument);
        created.Owner = this;
        var winner = _entries.GetOrAdd(key, created);
        if (ReferenceEquals(winner, created))
        {
            _storage.OnEntryAdded(now);
        }

        return winner;
    }

    public TEntry? Find(string key) => _entries.TryGetValue(key, out var entry) ? entry : null;

    public void CollectEntries(List<MemoryEntry> into)
    {
        foreach (var pair in _entries)
        {
            into.Add(pair.Value);
        }
    }

    public bool TryRemove(MemoryEntry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<string, TEntry>(entry.Key, (TEntry)entry)))
        {
            _storage.OnEntryRemoved();
            return true;
        }

        return false;
    }
}
