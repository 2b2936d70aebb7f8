using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Limiters.Backends;
using Throttle.Storage.Memory;

namespace Throttle.Storage;

// The key/value operations (README.md, "Storage"), and the factory of the in-memory limiter backends. Key/value pairs live in their own
// keyspace and share the size budget (LRU eviction, expiry) with limiter state.
public sealed partial class MemoryStorage
{
    private static readonly Func<string, long, (string Value, long ExpiresAt), KeyValueEntry> CreateValue =
        static (key, now, state) => new KeyValueEntry(key, now, state.Value, state.ExpiresAt);

    private MemoryKeyspace<KeyValueEntry>? _values;

    private MemoryKeyspace<KeyValueEntry> Values =>
        Volatile.Read(ref _values) ?? Interlocked.CompareExchange(ref _values, GetKeyspace<KeyValueEntry>("kv"), null) ?? _values!;

    /// <inheritdoc/>
    /// <remarks>An expired value is removed by this call (cleanup on access).</remarks>
    public override ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        Guard.Key(key);
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<string?>(Read(key, static entry => entry.Value));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative.</exception>
    public override ValueTask SetAsync(string key, string value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        Guard.Key(key);
        ArgumentNullException.ThrowIfNull(value);
        if (ttl is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), t, "ttl must be positive, or null for no expiry.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var now = _clock.Now();
        var expiresAt = ttl is { } d ? Saturate(now, _clock.ToTimestampTicks(d)) : KeyValueEntry.Never;
        while (true)
        {
            var entry = Values.GetOrAdd(key, now, CreateValue, (value, expiresAt));
            using (entry.Hold())
            {
                if (entry.Removed)
                {
                    continue;
                }

                entry.Value = value;
                entry.ExpiresAt = expiresAt;
                entry.LastAccess = now;
                return default;
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>The value keeps its TTL (an expired one counts as absent). The number is stored in invariant culture.</remarks>
    /// <exception cref="InvalidOperationException">The stored value is not a number.</exception>
    /// <exception cref="OverflowException">The result would not be finite; the stored value is unchanged.</exception>
    public override ValueTask<double> IncrementAsync(string key, double delta = 1, CancellationToken cancellationToken = default) =>
        Add(key, Finite(delta, nameof(delta)), cancellationToken);

    /// <inheritdoc/>
    /// <remarks>The value keeps its TTL (an expired one counts as absent). The number is stored in invariant culture.</remarks>
    /// <exception cref="InvalidOperationException">The stored value is not a number.</exception>
    /// <exception cref="OverflowException">The result would not be finite; the stored value is unchanged.</exception>
    public override ValueTask<double> DecrementAsync(string key, double delta = 1, CancellationToken cancellationToken = default) =>
        Add(key, -Finite(delta, nameof(delta)), cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        Guard.Key(key);
        cancellationToken.ThrowIfCancellationRequested();
        var entry = Values.Find(key);
        if (entry is null)
        {
            return new ValueTask<bool>(false);
        }

        using (entry.Hold())
        {
            if (entry.Removed)
            {
                return new ValueTask<bool>(false);
            }

            var live = !entry.IsExpired(_clock.Now());
            entry.Removed = true;
            return new ValueTask<bool>(Values.TryRemove(entry) && live);
        }
    }

    /// <inheritdoc/>
    /// <remarks>An expired value is removed by this call (cleanup on access).</remarks>
    public override ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        Guard.Key(key);
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<bool>(Read(key, static _ => "") is not null);
    }

    internal override ILimiterBackend CreateLimiterBackend(LimiterDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        LimiterScopes.ClaimScope(definition);
        return definition.Algorithm switch
        {
            LimiterAlgorithm.TokenBucket => new MemoryTokenBucketBackend(this, definition),
            LimiterAlgorithm.SlidingWindow => new MemorySlidingWindowBackend(this, definition),
            LimiterAlgorithm.LeakyBucket => new MemoryLeakyBucketBackend(this, definition),
            _ => throw new ArgumentOutOfRangeException(nameof(definition), definition.Algorithm, "Unknown limiter algorithm."),
        };
    }

    private static double Finite(double value, string paramName) =>
        double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be a finite number.");

    private static long Saturate(long now, long duration) => duration >= long.MaxValue - now ? KeyValueEntry.Never - 1 : now + duration;

    /// <summary>Reads a live value; an expired one is removed on the way.</summary>
    private string? Read(string key, Func<KeyValueEntry, string> select)
    {
        var entry = Values.Find(key);
        if (entry is null)
        {
            return null;
        }

        using (entry.Hold())
        {
            if (entry.Removed)
            {
                return null;
            }

            var now = _clock.Now();
            if (entry.IsExpired(now))
            {
                entry.Removed = true;
                Values.TryRemove(entry);
                return null;
            }

            entry.LastAccess = now;
            return select(entry);
        }
    }

    private ValueTask<double> Add(string key, double delta, CancellationToken cancellationToken)
    {
        Guard.Key(key);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _clock.Now();
        while (true)
        {
            var entry = Values.GetOrAdd(key, now, CreateValue, ("0", KeyValueEntry.Never));
            using (entry.Hold())
            {
                if (entry.Removed)
                {
                    continue;
                }

                if (entry.IsExpired(now))
                {
                    // Past its TTL: counts as absent, and the new value has no TTL (as Redis INCR on a missing key).
                    entry.Value = "0";
                    entry.ExpiresAt = KeyValueEntry.Never;
                }

                if (!double.TryParse(entry.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var current))
                {
                    throw new InvalidOperationException(
                        $"The value stored under '{key}' is not a number, so it cannot be incremented or decremented.");
                }

                var result = current + delta;
                if (!double.IsFinite(result))
                {
                    // An error, and the stored value stays as it was (never a silent infinity); the Redis storage answers the same.
                    throw new OverflowException(
                        $"Adding {delta.ToString("R", CultureInfo.InvariantCulture)} to the value stored under '{key}' ({entry.Value}) would not be a finite number; the value is unchanged.");
                }

                entry.Value = result.ToString("R", CultureInfo.InvariantCulture);
                entry.LastAccess = now;
                return new ValueTask<double>(result);
            }
        }
    }
}
