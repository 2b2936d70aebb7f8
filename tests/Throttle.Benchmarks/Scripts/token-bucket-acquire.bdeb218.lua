-- The token bucket acquire script as shipped at bdeb218 (limiter-common.lua + token-bucket-common.lua +
-- token-bucket-acquire.lua, bound): one text string %.17g, GET + SET PX. Kept for `redis-baseline.sh --scripts`.
-- Prelude of the limiter scripts (see RedisScripts.cs for each script's KEYS and ARGV).
-- Time is the server's (TIME, in microseconds), so clients with skewed clocks agree. Numbers travel as strings
-- formatted with %.17g: Lua would truncate a number reply to an integer. ttl() is the longest PEXPIRE takes
-- (~31,700 years) at most, plus a second of slack.
if redis.replicate_commands then redis.replicate_commands() end
local function fmt(x) return string.format('%.17g', x) end
local function ttl(ms) return string.format('%d', math.min(math.ceil(ms), 1e15) + 1000) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

-- KEYS[1] is one string, 'tokens updated' (%.17g and %d; updated = the last refill, server µs), with a PX expiry at
-- the moment the bucket is full again: a missing bucket is a full one. Refill is continuous and exact, as in memory.
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local tokens = cap
local upd = now
local last = nil -- the stored last refill, for the stats
local stored = redis.call('GET', KEYS[1])
if stored then
  local space = string.find(stored, ' ', 1, true)
  tokens = tonumber(string.sub(stored, 1, space - 1))
  upd = tonumber(string.sub(stored, space + 1))
  last = upd
  if now > upd then
    tokens = math.min(cap, tokens + (now - upd) * rate / 1000000)
    upd = now
  else
    tokens = math.min(cap, tokens)
  end
end
local function store()
  redis.call('SET', KEYS[1], string.format('%.17g %d', tokens, upd), 'PX', ttl((cap - tokens) / rate * 1000))
end
-- Takes req tokens when the balance covers them (1e-9 absorbs floating-point noise); true when taken.
local function take(req)
  if tokens + 1e-9 >= req then
    tokens = math.max(0, tokens - req)
    return true
  end
  return false
end
local function retry(req) return fmt((req - tokens - 1e-9) / rate) end
-- One request of ARGV[3], or (with ARGV[4]) that many of ARGV[3] each, decided in order as one-by-one calls would be.
local req = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local granted = 0
while granted < (n or 1) and take(req) do granted = granted + 1 end
if granted > 0 then store() end
if n == nil then
  if granted == 1 then return { -1, fmt(tokens) } end
  return { retry(req), fmt(tokens) }
end
if granted == n then return { granted, -1, fmt(tokens) } end
return { granted, retry(req), fmt(tokens) }
