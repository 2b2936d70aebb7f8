using System;
using System.Collections.Generic;

namespace Throttle.Storage.Hybrid;

/// <summary>
/// The hybrid storage's level-1 cache: at most <c>capacity</c> string values, each with an expiry, evicting the least
/// recently used when full. One lock guards a dictionary and a recency list; the operations are O(1).
/// </summary>
internal sealed class L1Cache
{
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries;
    private readonly LinkedList<Entry> _recency = new();
    private readonly TimeProvider _timeProvider;
    private readonly int _capacity;
    private readonly object _lock = new();

    public L1Cache(int capacity, TimeProvider timeProvider)
    {
        _capacity = capacity;
        _timeProvider = timeProvider;
        _entries = new Dictionary<string, LinkedListNode<Entry>>(Math.Min(capacity, 1024), StringComparer.Ordinal);
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The cached value, or <see langword="null"/> when absent or expired (an expired entry is dropped).</summary>
    public string? Get(string key)
    {
        var now = _timeProvider.GetTimestamp();
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                return null;
            }

            if (now >= node.Value.ExpiresAt)
            {
                Remove(node);
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Value;
        }
    }

    public void Set(string key, string value, TimeSpan ttl)
    {
        var expiresAt = _timeProvider.GetTimestamp() + (long)(ttl.TotalSeconds * _timeProvider.TimestampFrequency);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                Remove(existing);
            }

            while (_entries.Count >= _capacity && _recency.Last is { } oldest)
            {
                Remove(oldest);
            }

            _entries[key] = _recency.AddFirst(new Entry(key, value, expiresAt));
        }
    }

    public void Invalidate(string key)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                Remove(node);
            }
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _entries.Remove(node.Value.Key);
        _recency.Remove(node);
    }

    private readonly record struct Entry(string Key, string Value, long ExpiresAt);
}
