namespace Throttle.Storage.Redis;

/// <summary>
/// The Lua scripts behind the Redis limiters: one per operation, so each operation is one round trip. StackExchange.Redis
/// loads each once per server and runs it by SHA (<c>EVALSHA</c>), reloading it after <c>NOSCRIPT</c>.
/// </summary>
/// <remarks>
/// Conventions: time is the server's (<c>TIME</c>, in microseconds); numbers travel as strings formatted with
/// <c>%.17g</c> (Lua would truncate a number reply to an integer); an acquire answers the integer -1 when granted,
/// otherwise the retry delay in seconds as a string; 1e-9 of a token absorbs floating-point noise as in memory.
/// Every write sets a TTL covering the time the state needs to return to its initial value, after which dropping it
/// changes no decision.
/// </remarks>
internal static class RedisScripts
{
    // Longest TTL we set (ms, ~31,700 years): PEXPIRE needs an integer that fits.
    private const string Common = """
        if redis.replicate_commands then redis.replicate_commands() end
        local function fmt(x) return string.format('%.17g', x) end
        local function ttl(ms) return string.format('%d', math.min(math.ceil(ms), 1e15) + 1000) end
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

        """;

    /// <summary>KEYS: bucket hash. ARGV: capacity, rate per second, tokens.</summary>
    public const string TokenBucketAcquire = Common + """
        local cap = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local req = tonumber(ARGV[3])
        local s = redis.call('HMGET', KEYS[1], 't', 'u')
        local tokens = tonumber(s[1])
        local upd = tonumber(s[2])
        if tokens == nil or upd == nil then
          tokens = cap
          upd = now
        elseif now > upd then
          tokens = math.min(cap, tokens + (now - upd) * rate / 1000000)
          upd = now
        else
          tokens = math.min(cap, tokens)
        end
        if tokens + 1e-9 >= req then
          tokens = math.max(0, tokens - req)
          redis.call('HSET', KEYS[1], 't', fmt(tokens), 'u', fmt(upd))
          redis.call('PEXPIRE', KEYS[1], ttl((cap - tokens) / rate * 1000))
          return -1
        end
        return fmt((req - tokens - 1e-9) / rate)
        """;

    /// <summary>KEYS: bucket hash. ARGV: capacity, rate per second, tokens. A missing bucket is full: nothing to give back.</summary>
    public const string TokenBucketRelease = Common + """
        local cap = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local req = tonumber(ARGV[3])
        local s = redis.call('HMGET', KEYS[1], 't', 'u')
        local tokens = tonumber(s[1])
        local upd = tonumber(s[2])
        if tokens == nil or upd == nil then
          return 0
        end
        if now > upd then
          tokens = tokens + (now - upd) * rate / 1000000
          upd = now
        end
        tokens = math.min(cap, tokens + req)
        redis.call('HSET', KEYS[1], 't', fmt(tokens), 'u', fmt(upd))
        redis.call('PEXPIRE', KEYS[1], ttl((cap - tokens) / rate * 1000))
        return 0
        """;

    /// <summary>KEYS: bucket hash. ARGV: capacity, rate per second. Returns { available, last update (µs) or '' }.</summary>
    public const string TokenBucketStats = Common + """
        local cap = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local s = redis.call('HMGET', KEYS[1], 't', 'u')
        local tokens = tonumber(s[1])
        local upd = tonumber(s[2])
        if tokens == nil or upd == nil then
          return { fmt(cap), '' }
        end
        if now > upd then
          tokens = tokens + (now - upd) * rate / 1000000
        end
        return { fmt(math.min(cap, tokens)), fmt(upd) }
        """;

    // Sliding window: KEYS[1] is a sorted set of admitted requests (score = server time in µs, member = a unique id,
    // followed by '|weight' when the request took other than 1 token), KEYS[2] the sum of the weights in the set.
    private const string WindowCommon = Common + """
        local function weight(m)
          local p = string.find(m, '|', 1, true)
          if p then return tonumber(string.sub(m, p + 1)) end
          return 1
        end

        """;

    /// <summary>KEYS: log, sum. ARGV: capacity, window (µs), tokens, unique member.</summary>
    public const string SlidingWindowAcquire = WindowCommon + """
        local cap = tonumber(ARGV[1])
        local win = tonumber(ARGV[2])
        local req = tonumber(ARGV[3])
        local cutoff = now - win
        local sum = tonumber(redis.call('GET', KEYS[2]) or '0')
        local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
        if #old > 0 then
          for i = 1, #old do sum = sum - weight(old[i]) end
          redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
          -- An empty log sums to exactly 0: do not let rounding drift accumulate.
          if redis.call('ZCARD', KEYS[1]) == 0 then sum = 0 end
        end
        if sum + req <= cap + 1e-9 then
          local member = ARGV[4]
          if req ~= 1 then member = member .. '|' .. fmt(req) end
          redis.call('ZADD', KEYS[1], now, member)
          redis.call('SET', KEYS[2], fmt(sum + req), 'PX', ttl(win / 1000))
          redis.call('PEXPIRE', KEYS[1], ttl(win / 1000))
          return -1
        end
        if #old > 0 then redis.call('SET', KEYS[2], fmt(sum), 'KEEPTTL') end
        -- Rejected: wait until enough of the oldest requests leave the window.
        local freed = 0
        local start = 0
        while true do
          local batch = redis.call('ZRANGE', KEYS[1], start, start + 63, 'WITHSCORES')
          if #batch == 0 then return fmt(win / 1000000) end
          for i = 1, #batch, 2 do
            freed = freed + weight(batch[i])
            if sum - freed + req <= cap + 1e-9 then
              return fmt((tonumber(batch[i + 1]) + win - now) / 1000000)
            end
          end
          start = start + 64
        end
        """;

    /// <summary>KEYS: log, sum. ARGV: tokens, window (µs). Forgets the newest requests worth <c>tokens</c>.</summary>
    public const string SlidingWindowRelease = WindowCommon + """
        local remaining = tonumber(ARGV[1])
        local win = tonumber(ARGV[2])
        local sum = tonumber(redis.call('GET', KEYS[2]) or '0')
        while remaining > 1e-9 do
          local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
          if #top == 0 then break end
          local w = weight(top[1])
          redis.call('ZREM', KEYS[1], top[1])
          if w > remaining + 1e-9 then
            local p = string.find(top[1], '|', 1, true)
            local id = top[1]
            if p then id = string.sub(top[1], 1, p - 1) end
            redis.call('ZADD', KEYS[1], top[2], id .. '|' .. fmt(w - remaining))
            sum = sum - remaining
            remaining = 0
          else
            sum = sum - w
            remaining = remaining - w
          end
        end
        if redis.call('ZCARD', KEYS[1]) == 0 then
          redis.call('DEL', KEYS[1], KEYS[2])
        else
          -- Re-adding a shrunk request may have re-created the set: set both TTLs again.
          redis.call('SET', KEYS[2], fmt(math.max(0, sum)), 'PX', ttl(win / 1000))
          redis.call('PEXPIRE', KEYS[1], ttl(win / 1000))
        end
        return 0
        """;

    /// <summary>KEYS: log, sum. ARGV: capacity, window (µs). Returns { available, newest request (µs) or '' }.</summary>
    public const string SlidingWindowStats = WindowCommon + """
        local cap = tonumber(ARGV[1])
        local win = tonumber(ARGV[2])
        local sum = tonumber(redis.call('GET', KEYS[2]) or '0')
        local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - win)
        for i = 1, #old do sum = sum - weight(old[i]) end
        local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
        local last = ''
        if #top > 0 then last = top[2] end
        return { fmt(math.max(0, math.min(cap, cap - sum))), last }
        """;

    // Leaky bucket (README.md, "Limiters"): KEYS[1] is a hash holding the schedule, all in server µs: 'e' = when the
    // queue empties (level = max(0, e - now) * rate), 's' = the newest reserved start, 'u' = the last change.

    /// <summary>
    /// KEYS: bucket hash. ARGV: capacity, leak rate per second, tokens, longest start delay accepted (µs; -1 = any).
    /// Reserves the start max(now, e) when level + tokens ≤ capacity and the delay is accepted; answers
    /// { '1', delay (s), new e (µs) } when reserved, else { '0', time until a call could start at once (s), time until room (s) }.
    /// </summary>
    public const string LeakyBucketAcquire = Common + """
        local cap = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local req = tonumber(ARGV[3])
        local maxd = tonumber(ARGV[4])
        local e = tonumber(redis.call('HGET', KEYS[1], 'e'))
        local ahead = 0
        if e ~= nil and e > now then ahead = e - now end
        local level = ahead * rate / 1000000
        local wait = 0
        if level > 1e-9 then wait = ahead end
        if level + req <= cap + 1e-9 and (maxd < 0 or wait <= maxd) then
          local start = now
          if ahead > 0 then start = e end
          local fin = start + req / rate * 1000000
          redis.call('HSET', KEYS[1], 'e', fmt(fin), 's', fmt(start), 'u', fmt(now))
          redis.call('PEXPIRE', KEYS[1], ttl((fin - now) / 1000))
          return { '1', fmt(wait / 1000000), fmt(fin) }
        end
        return { '0', fmt(wait / 1000000), fmt(math.max(0, (level + req - cap - 1e-9) / rate)) }
        """;

    /// <summary>
    /// KEYS: bucket hash. ARGV: leak rate per second, tokens, the reservation's e (µs). A cancelled reservation that is
    /// still the last one (e unchanged) moves e back to its start; otherwise nothing changes.
    /// </summary>
    public const string LeakyBucketCancel = Common + """
        local rate = tonumber(ARGV[1])
        local req = tonumber(ARGV[2])
        local fin = tonumber(ARGV[3])
        local e = tonumber(redis.call('HGET', KEYS[1], 'e'))
        if e == nil or e ~= fin then
          return 0
        end
        e = e - req / rate * 1000000
        redis.call('HSET', KEYS[1], 'e', fmt(e), 'u', fmt(now))
        redis.call('PEXPIRE', KEYS[1], ttl(math.max(0, e - now) / 1000))
        return 0
        """;

    /// <summary>
    /// KEYS: bucket hash. ARGV: capacity, leak rate per second, tokens. Lowers the level, never below empty, once every
    /// reserved call has started (while one waits its start stays fixed, so nothing changes).
    /// </summary>
    public const string LeakyBucketRelease = Common + """
        local rate = tonumber(ARGV[2])
        local req = tonumber(ARGV[3])
        local s = redis.call('HMGET', KEYS[1], 'e', 's')
        local e = tonumber(s[1])
        local start = tonumber(s[2])
        if e == nil or (start ~= nil and start > now) then
          return 0
        end
        e = math.max(now, e - req / rate * 1000000)
        redis.call('HSET', KEYS[1], 'e', fmt(e), 'u', fmt(now))
        redis.call('PEXPIRE', KEYS[1], ttl((e - now) / 1000))
        return 0
        """;

    /// <summary>KEYS: bucket hash. ARGV: capacity, leak rate per second. Returns { available, last change (µs) or '' }.</summary>
    public const string LeakyBucketStats = Common + """
        local cap = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local s = redis.call('HMGET', KEYS[1], 'e', 'u')
        local e = tonumber(s[1])
        if e == nil then
          return { fmt(cap), '' }
        end
        local level = math.max(0, e - now) * rate / 1000000
        return { fmt(math.max(0, cap - level)), s[2] }
        """;

    /// <summary>KEYS: one key. Returns { value or false, PTTL }.</summary>
    public const string GetWithTtl = """
        return { redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1]) }
        """;
}
