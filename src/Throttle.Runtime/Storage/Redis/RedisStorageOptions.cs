using System;

namespace Throttle.Storage.Redis;

/// <summary>Settings of a <see cref="RedisStorage"/>.</summary>
public sealed class RedisStorageOptions
{
    private string _keyPrefix = "throttle";
    private TimeSpan _operationTimeout = TimeSpan.FromSeconds(2);
    private TimeSpan _failClosedRetryAfter = TimeSpan.FromSeconds(1);
    private StorageFailureMode _failureMode = StorageFailureMode.Throw;

    /// <summary>
    /// The first part of every key the storage and its semaphores write (layout: README, "Redis key layout"). Default <c>"throttle"</c>.
    /// Storages sharing a server and prefix share limiter state; give applications that must not share different prefixes.
    /// </summary>
    /// <exception cref="ArgumentException">The value is null or empty, or contains <c>{</c> or <c>}</c>.</exception>
    public string KeyPrefix
    {
        get => _keyPrefix;
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            if (value.AsSpan().IndexOfAny('{', '}') >= 0)
            {
                throw new ArgumentException("The key prefix must not contain '{' or '}': they delimit the Redis Cluster hash tag.", nameof(value));
            }

            _keyPrefix = value;
        }
    }

    /// <summary>
    /// The longest any operation may take, connecting included. After it the operation fails with
    /// <see cref="ThrottleStorageException"/> (or fails open or closed, see <see cref="FailureMode"/>). Default 2 s.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive, or above one day.</exception>
    public TimeSpan OperationTimeout
    {
        get => _operationTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromDays(1));
            _operationTimeout = value;
        }
    }

    /// <summary>What limiters do when Redis cannot be reached. Key/value operations always throw. Default <see cref="StorageFailureMode.Throw"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined member.</exception>
    public StorageFailureMode FailureMode
    {
        get => _failureMode;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown failure mode.");
            }

            _failureMode = value;
        }
    }

    /// <summary>The <c>RetryAfter</c> of a rejection made by <see cref="StorageFailureMode.FailClosed"/>. Default 1 s.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan FailClosedRetryAfter
    {
        get => _failClosedRetryAfter;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _failClosedRetryAfter = value;
        }
    }

    /// <summary>
    /// The clock limiters use to wait (for a retry delay). Admission itself uses the Redis server's clock, so clients with
    /// skewed clocks agree. <see langword="null"/> for <see cref="System.TimeProvider.System"/>, or for the runtime's
    /// clock when given to <see cref="ThrottleRuntimeOptions.UseRedis(StackExchange.Redis.IConnectionMultiplexer, Throttle.Storage.Redis.RedisStorageOptions?)"/>.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>A copy: storages and the runtime keep their own, so later changes to these options have no effect.</summary>
    internal RedisStorageOptions Copy() => new()
    {
        KeyPrefix = KeyPrefix,
        OperationTimeout = OperationTimeout,
        FailureMode = FailureMode,
        FailClosedRetryAfter = FailClosedRetryAfter,
        TimeProvider = TimeProvider,
    };
}
