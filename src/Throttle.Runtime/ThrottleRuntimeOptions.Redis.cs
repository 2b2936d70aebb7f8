using System;
using StackExchange.Redis;
using Throttle.Storage.Redis;

namespace Throttle;

public sealed partial class ThrottleRuntimeOptions
{
    /// <summary>
    /// Puts every distributed feature of the runtime on one Redis connection: limiters (including the ones generated
    /// wrappers create) keep their state in a <see cref="RedisStorage"/>, and <c>[DistributedSemaphore]</c> uses
    /// Redis-backed bounded semaphores. Sets <see cref="Storage"/> and <see cref="Redis"/>.
    /// </summary>
    /// <param name="connection">The connection; the runtime does not own or dispose it.</param>
    /// <param name="storageOptions">Key prefix, timeout and failure mode of the storage; defaults when null (on this options' <see cref="TimeProvider"/>).</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    public ThrottleRuntimeOptions UseRedis(IConnectionMultiplexer connection, RedisStorageOptions? storageOptions = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Redis = connection;
        Storage = new RedisStorage(connection, storageOptions ?? new RedisStorageOptions { TimeProvider = TimeProvider });
        return this;
    }
}
