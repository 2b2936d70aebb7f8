using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Internal;
using Throttle.Limiters.Backends;
using Throttle.Storage.Redis;

namespace Throttle.Storage.Hybrid;

/// <summary>
/// Redis (L2) with an in-process cache (L1) in front of key/value reads. get: L1, else Redis, cached in L1 for up to
/// 60 s (never past the Redis key's own expiry); set: L1 (TTL at most 60 s) and Redis; increment, decrement and delete:
/// drop the L1 entry and run on Redis.
/// </summary>
/// <remarks>
/// Limiters on this storage run on Redis exactly as on <see cref="RedisStorage"/>: admission is never decided from L1,
/// so limits stay exact across processes. L1 only saves round trips on key/value reads, at the cost that a value
/// another process changes may be seen stale here for up to 60 s (this process's own writes are seen at once).
/// </remarks>
public sealed class HybridStorage : ThrottleStorage
{
    /// <summary>The default L1 size: 10,000 values.</summary>
    public const int DefaultL1Size = 10_000;

    /// <summary>The longest a value stays in L1: 60 s.</summary>
    public static readonly TimeSpan L1Ttl = TimeSpan.FromSeconds(60);

    private readonly RedisStorage _redis;
    private readonly bool _ownsRedis;
    private readonly L1Cache _l1;

    /// <summary>Connects to Redis (see <see cref="RedisStorage(string, RedisStorageOptions?)"/>) and owns the connection.</summary>
    /// <param name="connectionString">Where Redis is.</param>
    /// <param name="l1Size">The most values L1 holds; at least 1.</param>
    /// <param name="options">Redis settings; <see langword="null"/> for the defaults. Its <see cref="RedisStorageOptions.TimeProvider"/> also times L1 entries.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty or malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="l1Size"/> is less than 1.</exception>
    public HybridStorage(string connectionString, int l1Size, RedisStorageOptions? options)
        : this(CheckSize(l1Size), new RedisStorage(connectionString, options), ownsRedis: true)
    {
    }

    /// <summary>Connects to Redis with the default L1 size and options; see <see cref="HybridStorage(string, int, RedisStorageOptions?)"/>.</summary>
    /// <param name="connectionString">Where Redis is.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty or malformed.</exception>
    public HybridStorage(string connectionString)
        : this(connectionString, DefaultL1Size, null)
    {
    }

    /// <summary>Puts an L1 cache in front of <paramref name="redis"/>, which it does not own (disposing this leaves it open).</summary>
    /// <param name="redis">The L2 storage.</param>
    /// <param name="l1Size">The most values L1 holds; at least 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="redis"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="l1Size"/> is less than 1.</exception>
    public HybridStorage(RedisStorage redis, int l1Size)
        : this(CheckSize(l1Size), redis ?? throw new ArgumentNullException(nameof(redis)), ownsRedis: false)
    {
    }

    private HybridStorage(int l1Size, RedisStorage redis, bool ownsRedis)
        : base(redis.TimeProvider)
    {
        _redis = redis;
        _ownsRedis = ownsRedis;
        _l1 = new L1Cache(l1Size, redis.TimeProvider);
        L1Size = l1Size;
    }

    /// <summary>The most values L1 holds.</summary>
    public int L1Size { get; }

    /// <summary>The Redis storage behind the cache; limiters run on it.</summary>
    public RedisStorage Redis => _redis;

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">The value was not in L1 and Redis could not be reached in time.</exception>
    public override async ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        Guard.Key(key);
        if (_l1.Get(key) is { } cached)
        {
            return cached;
        }

        var (value, ttl) = await _redis.GetWithTtlAsync(key, cancellationToken).ConfigureAwait(false);
        if (value is not null)
        {
            _l1.Set(key, value, ttl is { } t && t < L1Ttl ? t : L1Ttl);
        }

        return value;
    }

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time (L1 is left without the key).</exception>
    public override async ValueTask SetAsync(string key, string value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        Guard.Key(key);
        ArgumentNullException.ThrowIfNull(value);
        if (ttl is { } requested && requested <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), requested, "ttl must be positive, or null for no expiry.");
        }

        _l1.Set(key, value, ttl is { } t && t < L1Ttl ? t : L1Ttl);
        try
        {
            await _redis.SetAsync(key, value, ttl, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Redis did not take the value: do not let L1 pretend it did.
            _l1.Invalidate(key);
            throw;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    public override ValueTask<double> IncrementAsync(string key, double delta = 1, CancellationToken cancellationToken = default)
    {
        _l1.Invalidate(Guard.Key(key));
        return _redis.IncrementAsync(key, delta, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    public override ValueTask<double> DecrementAsync(string key, double delta = 1, CancellationToken cancellationToken = default)
    {
        _l1.Invalidate(Guard.Key(key));
        return _redis.DecrementAsync(key, delta, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    public override ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        _l1.Invalidate(Guard.Key(key));
        return _redis.DeleteAsync(key, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">The key was not in L1 and Redis could not be reached in time.</exception>
    public override ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        return _l1.Get(Guard.Key(key)) is not null ? new ValueTask<bool>(true) : _redis.ExistsAsync(key, cancellationToken);
    }

    /// <summary>Runs a Lua script on Redis; see <see cref="RedisStorage.EvaluateScriptAsync"/>. L1 is not consulted nor updated.</summary>
    /// <param name="script">The Lua source.</param>
    /// <param name="keys">The script's <c>KEYS</c>.</param>
    /// <param name="args">The script's <c>ARGV</c>.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>The script's result.</returns>
    public Task<RedisResult> EvaluateScriptAsync(string script, RedisKey[]? keys = null, RedisValue[]? args = null, CancellationToken cancellationToken = default) =>
        _redis.EvaluateScriptAsync(script, keys, args, cancellationToken);

    /// <summary>Closes the Redis storage if this storage created it.</summary>
    /// <returns>A task that completes when closed.</returns>
    public override async ValueTask DisposeAsync()
    {
        if (_ownsRedis)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Admission is decided in Redis, never from L1: the Redis backends, unchanged.</summary>
    internal override ILimiterBackend CreateLimiterBackend(LimiterDefinition definition) => _redis.CreateLimiterBackend(definition);

    private static int CheckSize(int l1Size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(l1Size, 1);
        return l1Size;
    }
}
