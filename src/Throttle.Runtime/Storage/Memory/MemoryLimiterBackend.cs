using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Memory;

/// <summary>
/// Shared plumbing of the in-memory limiter backends: one keyspace per algorithm and scope inside the
/// <see cref="MemoryStorage"/> (so keys count against its budget and are evicted by its sweeps), the entry's gate, and a
/// one-slot cache of the last entry used so that a constant key (an unkeyed <c>[RateLimit]</c> method) skips the
/// dictionary lookup.
/// </summary>
internal abstract class MemoryLimiterBackend<TEntry> : ILimiterBackend
    where TEntry : MemoryEntry
{
    // Absorbs floating-point rounding so a caller that waited exactly RetryAfter is not rejected by 1e-15 of a token.
    protected const double Tolerance = 1e-9;

    private static readonly Func<string, long, (MemoryLimiterBackend<TEntry> Backend, LimiterRate Rate), TEntry> CreateEntry =
        static (key, now, state) => state.Backend.Create(key, now, state.Rate);

    private readonly MemoryKeyspace<TEntry> _keyspace;
    private TEntry? _last;

    protected MemoryLimiterBackend(MemoryStorage storage, LimiterDefinition definition)
    {
        Definition = definition;
        Clock = new MemoryClock(storage.TimeProvider);
        _keyspace = storage.GetKeyspace<TEntry>(KeyspacePrefix(definition.Algorithm) + definition.Scope);
    }

    protected LimiterDefinition Definition { get; }

    protected MemoryClock Clock { get; }

    public ValueTask<RateLimitDecision> TryAcquireAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken)
    {
        var now = Clock.Now();
        while (true)
        {
            var entry = GetOrAdd(key, now, rate);
            using (entry.Hold())
            {
                if (entry.Removed)
                {
                    continue;
                }

                entry.LastAccess = now;

                // The quota after the call, read with the entry still held (as a Redis acquire script answers it). Only the
                // balance: the full stats would read the wall clock (GetUtcNow) for a last-update time nobody asked for.
                var decision = TryAcquire(entry, now, tokens, rate);
                return new ValueTask<RateLimitDecision>(decision.WithQuota(Available(entry, now, rate), rate));
            }
        }
    }

    public ValueTask ReleaseAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken)
    {
        while (true)
        {
            // No state means a fresh key, which already has everything: nothing to give back.
            var entry = _keyspace.Find(key);
            if (entry is null)
            {
                return default;
            }

            using (entry.Hold())
            {
                if (entry.Removed)
                {
                    continue;
                }

                var now = Clock.Now();
                entry.LastAccess = now;
                Release(entry, now, tokens, rate);
                return default;
            }
        }
    }

    public ValueTask<LimiterStats> GetStatsAsync(string key, LimiterRate rate, CancellationToken cancellationToken)
    {
        var entry = _keyspace.Find(key);
        if (entry is not null)
        {
            using (entry.Hold())
            {
                var now = Clock.Now();
                // An expired entry is indistinguishable from no entry (and a sweep may drop it any moment).
                if (!entry.Removed && !entry.IsExpired(now))
                {
                    return new ValueTask<LimiterStats>(GetStats(entry, now, rate));
                }
            }
        }

        return new ValueTask<LimiterStats>(FreshStats(rate));
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on the key's entry (created when missing) with it held, for an algorithm's
    /// own operations beyond the three of <see cref="ILimiterBackend"/> (the leaky bucket's reservations).
    /// </summary>
    protected TResult Update<TState, TResult>(string key, LimiterRate rate, TState state, Func<TEntry, long, TState, TResult> operation)
    {
        var now = Clock.Now();
        while (true)
        {
            var entry = GetOrAdd(key, now, rate);
            using (entry.Hold())
            {
                if (entry.Removed)
                {
                    continue;
                }

                entry.LastAccess = now;
                return operation(entry, now, state);
            }
        }
    }

    /// <summary>Runs <paramref name="operation"/> on the key's entry with it held when the key has state; a fresh key is left alone.</summary>
    protected void UpdateExisting<TState>(string key, TState state, Action<TEntry, long, TState> operation)
    {
        while (true)
        {
            var entry = _keyspace.Find(key);
            if (entry is null)
            {
                return;
            }

            using (entry.Hold())
            {
                if (entry.Removed)
                {
                    continue;
                }

                var now = Clock.Now();
                entry.LastAccess = now;
                operation(entry, now, state);
                return;
            }
        }
    }

    protected abstract TEntry Create(string key, long now, LimiterRate rate);

    /// <summary>The algorithm's decision; called with the entry held.</summary>
    protected abstract RateLimitDecision TryAcquire(TEntry entry, long now, double tokens, LimiterRate rate);

    /// <summary>The algorithm's release; called with the entry held.</summary>
    protected abstract void Release(TEntry entry, long now, double tokens, LimiterRate rate);

    /// <summary>The state's statistics; called with the entry held.</summary>
    protected abstract LimiterStats GetStats(TEntry entry, long now, LimiterRate rate);

    /// <summary>The tokens available now (<see cref="LimiterStats.AvailableTokens"/> without the rest); called with the entry held.</summary>
    protected abstract double Available(TEntry entry, long now, LimiterRate rate);

    /// <summary>The statistics of a key with no state.</summary>
    protected abstract LimiterStats FreshStats(LimiterRate rate);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected TEntry GetOrAdd(string key, long now, LimiterRate rate)
    {
        // Same string instance as last time (a constant key): reuse the entry. A removed entry is caught with it held
        // by the caller, which then comes back here and finds the key afresh (the cache holds only live candidates).
        var last = Volatile.Read(ref _last);
        if (last is not null && ReferenceEquals(last.Key, key) && !last.Removed)
        {
            return last;
        }

        return Find(last, key, now, rate);
    }

    // Out of line: a dictionary lookup inlined here would widen the frame of every constant-key acquire.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TEntry Find(TEntry? last, string key, long now, LimiterRate rate)
    {
        var entry = _keyspace.GetOrAdd(key, now, CreateEntry, (this, rate));
        if (!ReferenceEquals(last, entry))
        {
            Volatile.Write(ref _last, entry);
        }

        return entry;
    }

    private static string KeyspacePrefix(LimiterAlgorithm algorithm) => algorithm switch
    {
        LimiterAlgorithm.TokenBucket => "token_bucket:",
        LimiterAlgorithm.SlidingWindow => "sliding_window:",
        LimiterAlgorithm.LeakyBucket => "leaky_bucket:",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown limiter algorithm."),
    };
}
