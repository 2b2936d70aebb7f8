using System;
using StackExchange.Redis;
using Throttle.Storage.Redis;

namespace Throttle;

public sealed partial class ThrottleRuntimeOptions
{
    private IConnectionMultiplexer? _redis;
    private string? _redisConnectionString;
    private RedisStorageOptions? _redisOptions;

    /// <summary>
    /// Puts the runtime on Redis, the one switch for every distributed feature: the runtime creates a
    /// <see cref="RedisStorage"/> on <paramref name="connection"/> for its limiters (including the ones generated
    /// wrappers create), and <c>[DistributedSemaphore]</c> uses Redis-backed bounded semaphores on the same connection,
    /// key prefix and operation timeout. Replaces an earlier <see cref="Storage"/>. The storage runs on this options'
    /// <see cref="TimeProvider"/>, whether it is set before or after this call.
    /// </summary>
    /// <param name="connection">The connection; the runtime does not own or dispose it.</param>
    /// <param name="storageOptions">Key prefix, timeout and failure mode; defaults when null. Read now (later changes have
    /// no effect). Its <see cref="RedisStorageOptions.TimeProvider"/>, when set, must be <see cref="TimeProvider"/> or
    /// stand in for it.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    public ThrottleRuntimeOptions UseRedis(IConnectionMultiplexer connection, RedisStorageOptions? storageOptions = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _storage = null;
        _redis = connection;
        _redisOptions = (storageOptions ?? new RedisStorageOptions()).Copy();
        return this;
    }

    /// <summary>
    /// Puts the runtime on Redis like <see cref="UseRedis(IConnectionMultiplexer, RedisStorageOptions?)"/>, on a
    /// connection the runtime opens itself and owns: made in the background when the runtime is created (a Redis that is down
    /// does not stop it; operations then fail as <see cref="RedisStorageOptions.FailureMode"/> says until Redis answers),
    /// closed when the runtime is disposed.
    /// </summary>
    /// <param name="connectionString">A StackExchange.Redis connection string (<c>host:port,password=…</c>) or a
    /// <c>redis://[:password@]host[:port][/db]</c> URL; checked now.</param>
    /// <param name="storageOptions">As for <see cref="UseRedis(IConnectionMultiplexer, RedisStorageOptions?)"/>.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty or malformed (the message says why).</exception>
    public ThrottleRuntimeOptions ConnectRedis(string connectionString, RedisStorageOptions? storageOptions = null)
    {
        _ = RedisConnectionString.Parse(connectionString);
        _storage = null;
        _redis = null;
        _redisConnectionString = connectionString;
        _redisOptions = (storageOptions ?? new RedisStorageOptions()).Copy();
        return this;
    }

    private TimeProvider? RedisTimeProvider => _redisOptions?.TimeProvider;

    private void ClearRedis()
    {
        _redis = null;
        _redisConnectionString = null;
        _redisOptions = null;
    }

    private bool HasRedis => _redis is not null || _redisConnectionString is not null;

    /// <summary>The Redis storage of <see cref="UseRedis(IConnectionMultiplexer, RedisStorageOptions?)"/> or <see cref="ConnectRedis"/>.</summary>
    private RedisStorage CreateRedisStorage(RedisStorageOptions options) =>
        _redis is { } connection ? new RedisStorage(connection, options) : new RedisStorage(_redisConnectionString!, options);

    /// <summary>The options of the Redis storage to create, on <paramref name="clock"/>; null without Redis, or when the
    /// options given to <see cref="UseRedis(IConnectionMultiplexer, RedisStorageOptions?)"/> name another clock.</summary>
    private RedisStorageOptions? RedisStorageOptionsOn(TimeProvider clock)
    {
        if (_redisOptions is null || (_redisOptions.TimeProvider is { } own && !ReferenceEquals(own, clock)))
        {
            return null;
        }

        var options = _redisOptions.Copy();
        options.TimeProvider = clock;
        return options;
    }
}
