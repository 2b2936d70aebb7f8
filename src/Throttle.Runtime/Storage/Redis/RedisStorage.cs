using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Internal;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Redis;

/// <summary>
/// Storage on Redis (StackExchange.Redis): the key/value operations of README.md, "Storage", <see cref="EvaluateScriptAsync"/>, and
/// limiters whose every operation is one Lua script (one round trip) timed by the Redis server's clock, so any number
/// of processes sharing the server share exact limits.
/// </summary>
/// <remarks>
/// <para>Keys are laid out by <see cref="RedisKeys"/> (limiters <c>throttle:{scope:key}:tb3</c>, key/value
/// <c>throttle:kv:{key}</c>): the braces are the Redis Cluster hash tag, user input is percent-encoded so it cannot move
/// the tag or reach another key, and every limiter key carries a TTL so idle keys disappear. A runtime on this storage
/// (<see cref="ThrottleRuntimeOptions.UseRedis(StackExchange.Redis.IConnectionMultiplexer, Throttle.Storage.Redis.RedisStorageOptions?)"/>) puts its semaphores on the same connection, prefix and timeout.</para>
/// <para>Every operation is bounded by <see cref="RedisStorageOptions.OperationTimeout"/>, connecting included: it fails
/// with <see cref="ThrottleStorageException"/> (limiters may instead fail open or closed, see
/// <see cref="RedisStorageOptions.FailureMode"/>). The connection reconnects by itself, so operations work again once
/// Redis is back. An operation that timed out may still have been applied by the server.</para>
/// </remarks>
public sealed class RedisStorage : ThrottleStorage
{
    /// <summary>Connects to Redis with a StackExchange.Redis connection string (<c>host:port,password=…</c>) or a
    /// <c>redis://[:password@]host[:port][/db]</c> URL. Returns at once: the connection is made in the background, and
    /// the storage owns it (disposing the storage closes it).</summary>
    /// <param name="connectionString">Where Redis is.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty or malformed.</exception>
    public RedisStorage(string connectionString, RedisStorageOptions? options)
        : this(RedisLayer.Connect(RedisConnectionString.Parse(connectionString), options))
    {
    }

    /// <summary>Connects to Redis with the default <see cref="RedisStorageOptions"/>; see <see cref="RedisStorage(string, RedisStorageOptions?)"/>.</summary>
    /// <param name="connectionString">Where Redis is.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty or malformed.</exception>
    public RedisStorage(string connectionString)
        : this(connectionString, null)
    {
    }

    /// <summary>Uses an existing connection with the default <see cref="RedisStorageOptions"/>; see <see cref="RedisStorage(IConnectionMultiplexer, RedisStorageOptions?)"/>.</summary>
    /// <param name="connection">The connection; not owned.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    public RedisStorage(IConnectionMultiplexer connection)
        : this(connection, null)
    {
    }

    /// <summary>Uses an existing connection, which the storage does not own: disposing the storage leaves it open.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    public RedisStorage(IConnectionMultiplexer connection, RedisStorageOptions? options)
        : this(RedisLayer.On(connection, options))
    {
    }

    private RedisStorage(RedisLayer layer)
        : base(layer.Options.TimeProvider)
    {
        Layer = layer;
    }

    /// <summary>The settings in force (a copy of those given; changing the original has no effect).</summary>
    public RedisStorageOptions Options => Layer.Options;

    /// <summary>The Redis endpoints, host:port, comma-separated: what <see cref="ThrottleStorageException"/> names.</summary>
    public string Endpoint => Layer.Endpoint;

    /// <summary>The Redis layer: connection, key layout, scripts, timeout and failure policy.</summary>
    internal RedisLayer Layer { get; }

    /// <summary>
    /// Runs a Lua script of your own on Redis: loaded once per server and then run by SHA, reloaded by itself after
    /// <c>NOSCRIPT</c>. Keys are used as given (no prefix, no escaping); pass all user input through
    /// <paramref name="keys"/> and <paramref name="args"/>, never by splicing it into the script text.
    /// </summary>
    /// <param name="script">The Lua source.</param>
    /// <param name="keys">The script's <c>KEYS</c>; <see langword="null"/> for none.</param>
    /// <param name="args">The script's <c>ARGV</c>; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops waiting for the answer (the script may still run).</param>
    /// <returns>The script's result.</returns>
    /// <exception cref="ArgumentException"><paramref name="script"/> is null or empty.</exception>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    /// <exception cref="RedisServerException">The script failed on the server.</exception>
    public Task<RedisResult> EvaluateScriptAsync(string script, RedisKey[]? keys = null, RedisValue[]? args = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(script);
        return Layer.RunAsync(
            static (db, state) => db.ScriptEvaluateAsync(state.script, state.keys, state.args),
            (script, keys, args),
            cancellationToken).AsTask();
    }

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    public override ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        Layer.RunAsync(
            static async (db, k) => (string?)await db.StringGetAsync(k).ConfigureAwait(false),
            Layer.Keys.KeyValue(key),
            cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    public override async ValueTask SetAsync(string key, string value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        var redisKey = Layer.Keys.KeyValue(key);
        ArgumentNullException.ThrowIfNull(value);
        if (ttl is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), t, "ttl must be positive, or null for no expiry.");
        }

        await Layer.RunAsync(
            static (db, s) => db.StringSetAsync(s.redisKey, s.value, expiry: s.ttl, when: When.Always),
            (redisKey, value, ttl),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    /// <exception cref="InvalidOperationException">The key holds a value that is not a number.</exception>
    /// <exception cref="OverflowException">The result would not be finite; Redis keeps the stored value unchanged.</exception>
    public override ValueTask<double> IncrementAsync(string key, double delta = 1, CancellationToken cancellationToken = default) =>
        AddAsync(Layer.Keys.KeyValue(key), Finite(delta, nameof(delta)), cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    /// <exception cref="InvalidOperationException">The key holds a value that is not a number.</exception>
    /// <exception cref="OverflowException">The result would not be finite; Redis keeps the stored value unchanged.</exception>
    public override ValueTask<double> DecrementAsync(string key, double delta = 1, CancellationToken cancellationToken = default) =>
        AddAsync(Layer.Keys.KeyValue(key), -Finite(delta, nameof(delta)), cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    public override ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        Layer.RunAsync(static (db, k) => db.KeyDeleteAsync(k), Layer.Keys.KeyValue(key), cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    public override ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        Layer.RunAsync(static (db, k) => db.KeyExistsAsync(k), Layer.Keys.KeyValue(key), cancellationToken);

    /// <summary>Asks the server for a PONG, bounded like every operation (a health check's probe).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The round trip the server reports.</returns>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default) =>
        Layer.RunAsync(static (db, _) => db.PingAsync(), 0, cancellationToken).AsTask();

    /// <summary>Closes the connection if the storage opened it; a connection passed in stays open.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public override async ValueTask DisposeAsync()
    {
        await Layer.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    internal override ILimiterBackend CreateLimiterBackend(LimiterDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        LimiterScopes.ClaimScope(definition);
        return definition.Algorithm switch
        {
            LimiterAlgorithm.TokenBucket => new RedisTokenBucketBackend(this, definition.Scope),
            LimiterAlgorithm.SlidingWindow => new RedisSlidingWindowBackend(this, definition.Scope, definition.Window),
            LimiterAlgorithm.LeakyBucket => new RedisLeakyBucketBackend(this, definition.Scope),
            _ => throw new ArgumentOutOfRangeException(nameof(definition), definition.Algorithm, "Unknown limiter algorithm."),
        };
    }

    /// <summary>The value under a key/value key and its remaining time to live, in one round trip (for the hybrid's L1).</summary>
    internal async ValueTask<(string? Value, TimeSpan? Ttl)> GetWithTtlAsync(string key, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await Layer.EvaluateAsync(RedisScripts.GetWithTtl, [Layer.Keys.KeyValue(key)], [], cancellationToken).ConfigureAwait(false))!;
        var pttl = (long)result[1];
        return ((string?)result[0], pttl > 0 ? TimeSpan.FromMilliseconds(pttl) : null);
    }

    private async ValueTask<double> AddAsync(RedisKey key, double delta, CancellationToken cancellationToken)
    {
        // A script rather than INCRBYFLOAT, whose long double arithmetic would store a result beyond double's range.
        var result = await Layer.EvaluateAsync(
            RedisScripts.KeyValueIncrement, [key], [delta.ToString("R", CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
        return double.Parse((string)result!, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static double Finite(double value, string paramName)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be a finite number.");
        }

        return value;
    }
}
