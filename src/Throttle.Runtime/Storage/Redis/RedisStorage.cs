using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Internal;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Redis;

/// <summary>
/// Storage on Redis (StackExchange.Redis): the spec's key/value operations, <see cref="EvaluateScriptAsync"/>, and
/// limiters whose every operation is one Lua script (one round trip) timed by the Redis server's clock, so any number
/// of processes sharing the server share exact limits.
/// </summary>
/// <remarks>
/// <para>Limiter keys look like <c>throttle:{scope:key}:tb</c>: the braces are the Redis Cluster hash tag (all keys of one
/// operation live in one slot; <c>{</c>, <c>}</c> and <c>%</c> in scopes and keys are percent-encoded so user input cannot
/// move the tag), and every key carries a TTL so idle keys disappear. Key/value keys are <c>throttle:kv:&lt;key&gt;</c>.</para>
/// <para>Every operation is bounded by <see cref="RedisStorageOptions.OperationTimeout"/>, connecting included: it fails
/// with <see cref="ThrottleStorageException"/> (limiters may instead fail open or closed, see
/// <see cref="RedisStorageOptions.FailureMode"/>). The connection reconnects by itself, so operations work again once
/// Redis is back. An operation that timed out may still have been applied by the server.</para>
/// </remarks>
public sealed class RedisStorage : ThrottleStorage
{
    private readonly Task<IConnectionMultiplexer> _connecting;
    private readonly bool _ownsConnection;
    private readonly string _kvPrefix;
    private IDatabase? _database;
    private int _disposed;

    /// <summary>Connects to Redis with a StackExchange.Redis connection string (<c>host:port,password=…</c>) or a
    /// <c>redis://[:password@]host[:port][/db]</c> URL. Returns at once: the connection is made in the background, and
    /// the storage owns it (disposing the storage closes it).</summary>
    /// <param name="connectionString">Where Redis is.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty or malformed.</exception>
    public RedisStorage(string connectionString, RedisStorageOptions? options)
        : this(ParseConnectionString(connectionString), options ?? new RedisStorageOptions())
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
        : base(options?.TimeProvider)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Options = Snapshot(options ?? new RedisStorageOptions());
        _connecting = Task.FromResult(connection);
        _database = connection.GetDatabase();
        _ownsConnection = false;
        _kvPrefix = Options.KeyPrefix + ":kv:";
        Endpoint = DescribeEndpoints(connection.GetEndPoints());
    }

    private RedisStorage(ConfigurationOptions configuration, RedisStorageOptions options)
        : base(options.TimeProvider)
    {
        Options = Snapshot(options);
        var timeoutMs = (int)Math.Ceiling(Options.OperationTimeout.TotalMilliseconds);

        // The process must start without Redis: never abort on a failed first connect, keep retrying in the background.
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = timeoutMs;
        configuration.AsyncTimeout = timeoutMs;
        configuration.SyncTimeout = timeoutMs;
        Endpoint = DescribeEndpoints(configuration.EndPoints);
        _connecting = ConnectAsync(configuration);
        _ownsConnection = true;
        _kvPrefix = Options.KeyPrefix + ":kv:";
    }

    /// <summary>The settings in force (a copy of those given; changing the original has no effect).</summary>
    public RedisStorageOptions Options { get; }

    /// <summary>The Redis endpoints, host:port, comma-separated: what <see cref="ThrottleStorageException"/> names.</summary>
    public string Endpoint { get; }

    /// <summary>
    /// Runs a Lua script on Redis (the spec's <c>eval_script</c>): loaded once per server and then run by SHA, reloaded by
    /// itself after <c>NOSCRIPT</c>. Keys are used as given (no prefix); pass all user input through
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
        return RunAsync(
            static (db, state) => db.ScriptEvaluateAsync(state.script, state.keys, state.args),
            (script, keys, args),
            cancellationToken).AsTask();
    }

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    public override ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var redisKey = KvKey(key);
        return RunAsync(
            static async (db, k) => (string?)await db.StringGetAsync(k).ConfigureAwait(false),
            redisKey,
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    public override async ValueTask SetAsync(string key, string value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        var redisKey = KvKey(key);
        ArgumentNullException.ThrowIfNull(value);
        if (ttl is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), t, "ttl must be positive, or null for no expiry.");
        }

        await RunAsync(
            static (db, s) => db.StringSetAsync(s.redisKey, s.value, expiry: s.ttl, when: When.Always),
            (redisKey, value, ttl),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    /// <exception cref="InvalidOperationException">The key holds a value that is not a number.</exception>
    public override ValueTask<double> IncrementAsync(string key, double delta = 1, CancellationToken cancellationToken = default)
    {
        var redisKey = KvKey(key);
        return AddAsync(redisKey, Finite(delta, nameof(delta)), cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    /// <exception cref="InvalidOperationException">The key holds a value that is not a number.</exception>
    public override ValueTask<double> DecrementAsync(string key, double delta = 1, CancellationToken cancellationToken = default)
    {
        var redisKey = KvKey(key);
        return AddAsync(redisKey, -Finite(delta, nameof(delta)), cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    public override ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var redisKey = KvKey(key);
        return RunAsync(static (db, k) => db.KeyDeleteAsync(k), redisKey, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ThrottleStorageException">Redis could not be reached in time.</exception>
    public override ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        var redisKey = KvKey(key);
        return RunAsync(static (db, k) => db.KeyExistsAsync(k), redisKey, cancellationToken);
    }

    /// <summary>Closes the connection if the storage opened it; a connection passed in stays open.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_ownsConnection)
        {
            var connection = await _connecting.ConfigureAwait(false);
            await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            connection.Dispose();
        }

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
    internal ValueTask<(string? Value, TimeSpan? Ttl)> GetWithTtlAsync(string key, CancellationToken cancellationToken)
    {
        var redisKey = KvKey(key);
        return RunAsync(
            static async (db, k) =>
            {
                var result = (RedisResult[])(await db.ScriptEvaluateAsync(RedisScripts.GetWithTtl, [k]).ConfigureAwait(false))!;
                var value = (string?)result[0];
                var pttl = (long)result[1];
                return (value, pttl > 0 ? TimeSpan.FromMilliseconds(pttl) : (TimeSpan?)null);
            },
            redisKey,
            cancellationToken);
    }

    /// <summary>Runs a limiter script: the one round trip of a limiter operation.</summary>
    internal ValueTask<RedisResult> EvaluateLimiterScriptAsync(string script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken) =>
        RunAsync(static (db, s) => db.ScriptEvaluateAsync(s.script, s.keys, s.args), (script, keys, args), cancellationToken);

    /// <summary>
    /// Runs one Redis call, bounded by the operation timeout (connecting included) and the token. Connection failures and
    /// timeouts become <see cref="ThrottleStorageException"/> naming the endpoint.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<TResult> RunAsync<TState, TResult>(
        Func<IDatabase, TState, Task<TResult>> operation, TState state, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var database = _database ?? await ConnectedDatabaseAsync(cancellationToken).ConfigureAwait(false);
            var task = operation(database, state);
            if (!task.IsCompleted)
            {
                var remaining = Options.OperationTimeout - Stopwatch.GetElapsedTime(started);
                await task.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }

            return await task.ConfigureAwait(false);
        }
        catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
        {
            throw new ThrottleStorageException(
                $"Redis at {Endpoint} could not be reached within {Options.OperationTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s: {exception.Message}",
                Endpoint,
                exception);
        }
        catch (RedisServerException exception) when (exception.Message.Contains("not a valid float", StringComparison.OrdinalIgnoreCase)
                                                   || exception.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The Redis key holds a value this operation cannot use: " + exception.Message, exception);
        }
    }

    internal static RedisKey LimiterKey(string scopePart, string key, string suffix) =>
        string.Concat(scopePart, Escape(Guard.Key(key)), suffix);

    /// <summary><c>&lt;prefix&gt;:{&lt;scope&gt;:</c>, the per-limiter start of its keys (the caller's key and the closing brace follow).</summary>
    internal string LimiterKeyStart(string scope) =>
        // ':' is escaped in the scope (not in the key) so that scope "a:b" + key "c" and scope "a" + key "b:c" differ.
        string.Concat(Options.KeyPrefix, ":{", Escape(scope).Replace(":", "%3A", StringComparison.Ordinal), ":");

    internal StorageFailureMode FailureMode => Options.FailureMode;

    /// <summary>Percent-encodes the characters that could end or open the hash tag, and '%' itself so the encoding is one-to-one.</summary>
    internal static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAny('{', '}', '%') < 0)
        {
            return value;
        }

        return value.Replace("%", "%25", StringComparison.Ordinal)
            .Replace("{", "%7B", StringComparison.Ordinal)
            .Replace("}", "%7D", StringComparison.Ordinal);
    }

    private static bool IsUnavailable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        RedisConnectionException or RedisTimeoutException or TimeoutException => true,
        RedisServerException server => server.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal),
        _ => false,
    };

    private async ValueTask<IDatabase> ConnectedDatabaseAsync(CancellationToken cancellationToken)
    {
        var connection = await _connecting.WaitAsync(Options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        var database = connection.GetDatabase();
        _database = database;
        return database;
    }

    private ValueTask<double> AddAsync(RedisKey key, double delta, CancellationToken cancellationToken) =>
        // INCRBYFLOAT keeps the key's TTL: one command, no script needed.
        RunAsync(static (db, s) => db.StringIncrementAsync(s.key, s.delta), (key, delta), cancellationToken);

    private RedisKey KvKey(string key) => _kvPrefix + Guard.Key(key);

    private static double Finite(double value, string paramName)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be a finite number.");
        }

        return value;
    }

    private static RedisStorageOptions Snapshot(RedisStorageOptions options) => new()
    {
        KeyPrefix = options.KeyPrefix,
        OperationTimeout = options.OperationTimeout,
        FailureMode = options.FailureMode,
        FailClosedRetryAfter = options.FailClosedRetryAfter,
        TimeProvider = options.TimeProvider,
    };

    private static async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration) =>
        await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);

    private static string DescribeEndpoints(System.Collections.Generic.IEnumerable<System.Net.EndPoint> endpoints) =>
        string.Join(",", endpoints.Select(static endpoint => endpoint switch
        {
            System.Net.DnsEndPoint dns => string.Create(CultureInfo.InvariantCulture, $"{dns.Host}:{dns.Port}"),
            _ => endpoint.ToString() ?? "?",
        }));

    private static ConfigurationOptions ParseConnectionString(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ConfigurationOptions configuration;
        try
        {
            configuration = connectionString.StartsWith("redis://", StringComparison.OrdinalIgnoreCase)
                         || connectionString.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase)
                ? ParseUrl(connectionString)
                : ConfigurationOptions.Parse(connectionString);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or UriFormatException or RedisException)
        {
            throw new ArgumentException($"Malformed Redis connection string: {exception.Message}", nameof(connectionString), exception);
        }

        if (configuration.EndPoints.Count == 0)
        {
            throw new ArgumentException("The Redis connection string names no endpoint (expected host:port).", nameof(connectionString));
        }

        return configuration;
    }

    private static ConfigurationOptions ParseUrl(string url)
    {
        var uri = new Uri(url, UriKind.Absolute);
        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException($"'{url}' names no host.");
        }

        var configuration = new ConfigurationOptions { Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase) };
        configuration.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(separator < 0 ? string.Empty : uri.UserInfo[..separator]);
            var password = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[(separator + 1)..]);
            configuration.User = user.Length == 0 ? null : user;
            configuration.Password = password;
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            configuration.DefaultDatabase = int.Parse(path, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return configuration;
    }
}
