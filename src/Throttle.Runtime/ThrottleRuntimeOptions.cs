using System;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Throttle.Storage;
using Throttle.Storage.Redis;

namespace Throttle;

/// <summary>Settings of a <see cref="ThrottleRuntime"/>.</summary>
/// <remarks>
/// The runtime has one storage, chosen here: the default in-memory storage, <see cref="UseRedis(StackExchange.Redis.IConnectionMultiplexer, RedisStorageOptions?)"/> (or <see cref="ConnectRedis"/>),
/// or a storage you built (<see cref="Storage"/>); the last one set wins. Its distributed features follow that one
/// choice: <c>[DistributedSemaphore]</c> uses Redis exactly when the storage is on Redis (Redis or hybrid), on the same
/// connection, key prefix and operation timeout.
/// </remarks>
public sealed partial class ThrottleRuntimeOptions
{
    private int _maxKeys = MemoryStorage.DefaultMaxSize;
    private ThrottleStorage? _storage;

    /// <summary>
    /// The one clock of the runtime: its limiters, queues, breakers, semaphores and the storages it creates use it,
    /// whatever order the options are set in. Default: the clock of <see cref="Storage"/> when one is given, else
    /// <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// A storage you built (<see cref="MemoryStorage"/>, Redis or hybrid), used as is; setting it replaces an earlier
    /// <see cref="UseRedis(StackExchange.Redis.IConnectionMultiplexer, RedisStorageOptions?)"/>. Null (the default) for a new <see cref="MemoryStorage"/> of <see cref="MaxKeys"/> keys,
    /// or the Redis storage of <see cref="UseRedis(StackExchange.Redis.IConnectionMultiplexer, RedisStorageOptions?)"/>. Its clock must be <see cref="TimeProvider"/> when both are set.
    /// </summary>
    public ThrottleStorage? Storage
    {
        get => _storage;
        set
        {
            _storage = value;
            ClearRedis();
        }
    }

    /// <summary>
    /// Where the runtime's logs go (breakers opening, leases lost, Redis failure policy engaged). Null (the default)
    /// for none. A host's <c>AddThrottle</c> sets the container's.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Creates the runtime's <c>Throttle</c> meter, so a host's metrics pipeline sees its instruments. Null (the
    /// default) for a meter of the runtime's own. A host's <c>AddThrottle</c> sets the container's.
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// The size of the default in-memory storage, in keys, and the most per-partition semaphores the runtime keeps
    /// before it evicts the idle ones. Default 100,000.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxKeys
    {
        get => _maxKeys;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxKeys = value;
        }
    }

    /// <summary>Whether a runtime made from these options creates its storage (and so disposes it), rather than using <see cref="Storage"/>.</summary>
    internal bool CreatesStorage => _storage is null;

    /// <summary>The runtime's clock: <see cref="TimeProvider"/>, else the given storage's or Redis options' clock, else the system's.</summary>
    internal TimeProvider ResolveTimeProvider() =>
        TimeProvider ?? _storage?.TimeProvider ?? RedisTimeProvider ?? TimeProvider.System;

    /// <summary>The storage of a runtime made from <paramref name="options"/>, on <paramref name="clock"/> (from <see cref="ResolveTimeProvider"/>).</summary>
    /// <exception cref="ArgumentException">The given storage or Redis options run on another clock than <see cref="TimeProvider"/>.</exception>
    internal static ThrottleStorage ResolveStorage(ThrottleRuntimeOptions options, TimeProvider clock)
    {
        if (options._storage is { } storage)
        {
            return ReferenceEquals(storage.TimeProvider, clock)
                ? storage
                : throw new ArgumentException(
                    "ThrottleRuntimeOptions.Storage runs on another clock than ThrottleRuntimeOptions.TimeProvider: create the storage with the same TimeProvider, or leave TimeProvider unset to use the storage's.",
                    nameof(options));
        }

        if (options.HasRedis)
        {
            var redisOptions = options.RedisStorageOptionsOn(clock) ?? throw new ArgumentException(
                "The RedisStorageOptions given to UseRedis run on another clock than ThrottleRuntimeOptions.TimeProvider: set one of them only.",
                nameof(options));
            return options.CreateRedisStorage(redisOptions);
        }

        return new MemoryStorage(options.MaxKeys, clock);
    }
}
