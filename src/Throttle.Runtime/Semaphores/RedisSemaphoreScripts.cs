namespace Throttle.Semaphores;

/// <summary>
/// The Lua scripts of <see cref="DistributedSemaphore"/>, one round trip per step. Keys (all under the hash tag of
/// the semaphore's key, so they live in one Redis Cluster slot): <c>holders</c> (sorted set: holder id scored by lease
/// expiry, ms of server time), <c>max</c> (the value, set once), <c>extra</c> (slots added by unbounded
/// over-releases), <c>queue</c> (sorted set: waiter id scored by arrival ticket), <c>alive</c> (sorted set: waiter id
/// scored by the expiry of its place in the queue), <c>ticket</c> (the arrival counter). User input is only ever
/// passed in KEYS and ARGV; StackExchange.Redis sends EVALSHA and falls back to EVAL after NOSCRIPT.
/// </summary>
internal static class RedisSemaphoreScripts
{
    /// <summary>
    /// KEYS: holders, max, extra, queue, alive, ticket. ARGV: id, value, lease ms, bounded (1/0), queue when refused (1/0).
    /// Returns {1, expiry} when the slot is granted; {0, ms until the earliest lease expires or -1} when refused;
    /// {-1, stored value} when the key was created with another value.
    /// </summary>
    public const string Acquire = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local value = tonumber(ARGV[2])
        local stored = redis.call('GET', KEYS[2])
        if not stored then
          redis.call('SET', KEYS[2], ARGV[2])
        elseif tonumber(stored) ~= value then
          return {-1, tonumber(stored)}
        end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local dead = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now)
        if #dead > 0 then
          redis.call('ZREM', KEYS[4], unpack(dead))
          redis.call('ZREM', KEYS[5], unpack(dead))
        end
        local capacity = value
        if ARGV[4] == '0' then
          capacity = capacity + tonumber(redis.call('GET', KEYS[3]) or '0')
        end
        local free = capacity - redis.call('ZCARD', KEYS[1])
        local lease = tonumber(ARGV[3])
        if free > 0 then
          local rank = redis.call('ZRANK', KEYS[4], ARGV[1])
          if (rank and rank < free) or ((not rank) and redis.call('ZCARD', KEYS[4]) < free) then
            redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
            if rank then
              redis.call('ZREM', KEYS[4], ARGV[1])
              redis.call('ZREM', KEYS[5], ARGV[1])
            end
            return {1, now + lease}
          end
        end
        if ARGV[5] == '1' then
          if not redis.call('ZSCORE', KEYS[4], ARGV[1]) then
            redis.call('ZADD', KEYS[4], redis.call('INCR', KEYS[6]), ARGV[1])
          end
          redis.call('ZADD', KEYS[5], now + lease, ARGV[1])
        end
        local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        if #first > 0 and free <= 0 then
          return {0, tonumber(first[2]) - now}
        end
        return {0, -1}
        """;

    /// <summary>
    /// KEYS: holders, extra. ARGV: id ('' for a release without a lease), bounded (1/0), channel.
    /// Returns 1 released; 0 the lease had expired (nothing released); -1 bounded and nothing held; 2 a slot added.
    /// </summary>
    public const string Release = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        if ARGV[1] ~= '' then
          local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
          if not score then
            return 0
          end
          redis.call('ZREM', KEYS[1], ARGV[1])
          if tonumber(score) <= now then
            return 0
          end
          redis.call('PUBLISH', ARGV[3], '1')
          return 1
        end
        if ARGV[2] == '1' then
          return -1
        end
        redis.call('INCR', KEYS[2])
        redis.call('PUBLISH', ARGV[3], '1')
        return 2
        """;

    /// <summary>KEYS: holders. ARGV: id, lease ms. Returns 1 renewed; 0 the lease had expired or is gone (lost).</summary>
    public const string Renew = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not score then
          return 0
        end
        if tonumber(score) <= now then
          redis.call('ZREM', KEYS[1], ARGV[1])
          return 0
        end
        redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
        return 1
        """;

    /// <summary>KEYS: queue, alive. ARGV: id, channel. Leaves the queue; wakes the others when it was in it.</summary>
    public const string Leave = """
        local removed = redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        if removed == 1 then
          redis.call('PUBLISH', ARGV[2], '1')
        end
        return removed
        """;
}
