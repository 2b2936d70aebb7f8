using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Throttle.Storage.Memory;

namespace Throttle.Storage;

/// <summary>
/// In-process storage for limiter state and key/value pairs. Memory is bounded: at most <see cref="MaxSize"/> keys are
/// kept across all limiters and key/value pairs using this storage. Idle keys whose state has returned to its initial value expire (dropping them changes
/// no decision), as do key/value pairs past their TTL; when the budget is still exceeded, the least recently used keys are evicted.
/// </summary>
/// <remarks>
/// Evicting a key that is not idle forgets its usage, so that key briefly gets a fresh allowance. Size
/// <see cref="MaxSize"/> above the number of keys active within one refill period to keep limits exact.
/// </remarks>
public sealed partial class MemoryStorage : ThrottleStorage
{
    /// <summary>The default <see cref="MaxSize"/>: 100,000 keys.</summary>
    public const int DefaultMaxSize = 100_000;

    private readonly ConcurrentDictionary<string, IMemoryKeyspace> _keyspaces = new(StringComparer.Ordinal);
    private readonly object _sweepLock = new();
    private readonly long _sweepInterval;
    private readonly MemoryClock _clock;
    private int _count;
    private long _lastSweep;

    /// <summary>Creates a storage holding at most <paramref name="maxSize"/> keys.</summary>
    /// <param name="maxSize">The most keys kept at once; at least 1.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is less than 1.</exception>
    public MemoryStorage(int maxSize = DefaultMaxSize, TimeProvider? timeProvider = null)
        : base(timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSize, 1);
        MaxSize = maxSize;
        _clock = new MemoryClock(TimeProvider);
        _sweepInterval = TimeProvider.TimestampFrequency * 60;
        _lastSweep = _clock.Now();
    }

    /// <summary>The most keys kept at once.</summary>
    public int MaxSize { get; }


    /// <summary>Keys currently held, across all limiters.</summary>
    public int Count => Volatile.Read(ref _count);

    internal MemoryKeyspace<TEntry> GetKeyspace<TEntry>(string name)
        where TEntry : MemoryEntry
    {
        var keyspace = _keyspaces.GetOrAdd(name, static (n, storage) => new MemoryKeyspace<TEntry>(storage, n), this);
        return keyspace as MemoryKeyspace<TEntry>
            ?? throw new InvalidOperationException($"Storage keyspace '{name}' already holds another kind of state.");
    }

    internal void OnEntryAdded(long now)
    {
        var count = Interlocked.Increment(ref _count);
        if (count > MaxSize || now - Volatile.Read(ref _lastSweep) > _sweepInterval)
        {
            Sweep(now, overBudget: count > MaxSize);
        }
    }

    internal void OnEntryRemoved() => Interlocked.Decrement(ref _count);

    /// <summary>Drops expired keys, then the least recently used ones until the count is back under budget.</summary>
    private void Sweep(long now, bool overBudget)
    {
        // One sweeper at a time. A periodic sweep is skipped while another runs; an insert over budget waits for the
        // running sweep (carrying on would let inserters outrun a descheduled sweeper without bound), then sweeps
        // only if still over. The count may overshoot by the number of concurrent inserters.
        if (!Monitor.TryEnter(_sweepLock))
        {
            if (!overBudget)
            {
                return;
            }

            Monitor.Enter(_sweepLock);
            if (Count <= MaxSize)
            {
                Monitor.Exit(_sweepLock);
                return;
            }
        }

        try
        {
            Volatile.Write(ref _lastSweep, now);
            var entries = new List<MemoryEntry>(Math.Min(Count, MaxSize + 64));
            var owners = new Dictionary<MemoryEntry, IMemoryKeyspace>(ReferenceEqualityComparer.Instance);
            foreach (var keyspace in _keyspaces.Values)
            {
                var start = entries.Count;
                keyspace.CollectEntries(entries);
                for (var i = start; i < entries.Count; i++)
                {
                    owners[entries[i]] = keyspace;
                }
            }

            var live = new List<MemoryEntry>(entries.Count);
            foreach (var entry in entries)
            {
                if (!TryEvict(entry, owners[entry], now, onlyIfExpired: true))
                {
                    live.Add(entry);
                }
            }

            // Evict down to 90% of the budget so that the next sweep is many inserts away. Always below MaxSize: the
            // entry whose insert triggered this sweep is fresh (so expired) and was just dropped above; its inserter
            // retries, and with the count still at MaxSize that retry would sweep again, forever (MaxSize < 10).
            var target = MaxSize - Math.Max(1, MaxSize / 10);
            if (live.Count > target)
            {
                // Sort on a snapshot: LastAccess changes under concurrent use, and a comparison that changes its answer
                // mid-sort makes Array.Sort throw ("IComparer.Compare() method returns inconsistent results").
                var victims = live.ToArray();
                var lastAccess = new long[victims.Length];
                for (var i = 0; i < victims.Length; i++)
                {
                    lastAccess[i] = Volatile.Read(ref victims[i].LastAccess);
                }

                Array.Sort(lastAccess, victims);
                for (var i = 0; i < victims.Length && Count > target; i++)
                {
                    TryEvict(victims[i], owners[victims[i]], now, onlyIfExpired: false);
                }
            }
        }
        finally
        {
            Monitor.Exit(_sweepLock);
        }
    }

    private static bool TryEvict(MemoryEntry entry, IMemoryKeyspace keyspace, long now, bool onlyIfExpired)
    {
        lock (entry)
        {
            if (entry.Removed || (onlyIfExpired && !entry.IsExpired(now)))
            {
                return false;
            }

            entry.Removed = true;
            return keyspace.TryRemove(entry);
        }
    }
}
