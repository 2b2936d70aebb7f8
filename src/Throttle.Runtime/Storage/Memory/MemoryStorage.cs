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
    private readonly List<MemoryEntry> _sweepEntries = [];
    private long[] _sweepTimes = [];
    private long[] _sweepWork = [];
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

            // The buffers are kept between sweeps (guarded by the sweep lock) so that a sweep allocates nothing once warm.
            var entries = _sweepEntries;
            foreach (var keyspace in _keyspaces.Values)
            {
                keyspace.CollectEntries(entries);
            }

            var live = 0;
            for (var i = 0; i < entries.Count; i++)
            {
                if (!TryEvict(entries[i], now, onlyIfExpired: true))
                {
                    entries[live++] = entries[i];
                }
            }

            // Evict down to 90% of the budget so that the next sweep is many inserts away. Always below MaxSize: the
            // entry whose insert triggered this sweep is fresh (so expired) and was just dropped above; its inserter
            // retries, and with the count still at MaxSize that retry would sweep again, forever (MaxSize < 10).
            var target = MaxSize - Math.Max(1, MaxSize / 10);
            var excess = Math.Min(live, Count - target);
            if (excess > 0)
            {
                // Least recently used first: find the access time of the excess-th oldest entry in O(n) (selection, no
                // sort), then evict entries at or before it. Times are snapshotted: LastAccess changes under use.
                if (_sweepTimes.Length < live)
                {
                    _sweepTimes = new long[live];
                    _sweepWork = new long[live];
                }

                for (var i = 0; i < live; i++)
                {
                    _sweepTimes[i] = Volatile.Read(ref entries[i].LastAccess);
                }

                Array.Copy(_sweepTimes, _sweepWork, live);
                var threshold = SelectKth(_sweepWork, live, excess - 1);
                for (var i = 0; i < live && Count > target; i++)
                {
                    if (_sweepTimes[i] <= threshold)
                    {
                        TryEvict(entries[i], now, onlyIfExpired: false);
                    }
                }
            }

            entries.Clear();
        }
        finally
        {
            Monitor.Exit(_sweepLock);
        }
    }

    /// <summary>The <paramref name="k"/>-th smallest (0-based) of the first <paramref name="length"/> values; reorders them.</summary>
    private static long SelectKth(long[] values, int length, int k)
    {
        var left = 0;
        var right = length - 1;
        while (left < right)
        {
            var pivot = values[left + ((right - left) / 2)];
            var i = left;
            var j = right;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                right = j;
            }
            else if (k >= i)
            {
                left = i;
            }
            else
            {
                return values[k];
            }
        }

        return values[k];
    }

    private static bool TryEvict(MemoryEntry entry, long now, bool onlyIfExpired)
    {
        using (entry.Hold())
        {
            if (entry.Removed || (onlyIfExpired && !entry.IsExpired(now)))
            {
                return false;
            }

            entry.Removed = true;
            return entry.Owner!.TryRemove(entry);
        }
    }
}
