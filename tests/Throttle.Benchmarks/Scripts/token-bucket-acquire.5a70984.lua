-- The token bucket acquire script as shipped at 5a70984 (limiter-common.lua + token-bucket-acquire.lua, names bound as
-- RedisScript.Load binds them): a hash, HMGET + HSET + PEXPIRE. Kept for `redis-baseline.sh --scripts` (the baseline of issue 15, item 4).
-- Prelude of the limiter scripts (see RedisScripts.cs for each script's KEYS and ARGV).
-- Time is the server's (TIME, in microseconds), so clients with skewed clocks agree. Numbers travel as strings
-- formatted with %.17g: Lua would truncate a number reply to an integer. ttl() is the longest PEXPIRE takes
-- (~31,700 years) at most, plus a second of slack.
if redis.replicate_commands then redis.replicate_commands() end
local function fmt(x) return string.format('%.17g', x) end
local function ttl(ms) return string.format('%d', math.min(math.ceil(ms), 1e15) + 1000) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

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
