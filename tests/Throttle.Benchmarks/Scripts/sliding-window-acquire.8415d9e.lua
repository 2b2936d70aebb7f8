-- The sliding window acquire script as shipped at 8415d9e (limiter-common.lua + sliding-window-common.lua +
-- sliding-window-acquire.lua, bound): a sorted set of request ids and a text state 'sum oldest expires', pruned with
-- ZRANGEBYSCORE when due, PEXPIRE and SET PX on every write. ARGV: capacity, window (µs), tokens, member, [count].
-- Kept for `redis-baseline.sh --scripts` (the baseline of issue 15, item 4).
-- Prelude of the limiter scripts (see RedisScripts.cs for each script's KEYS and ARGV).
-- Time is the server's (TIME, in microseconds), so clients with skewed clocks agree. Numbers travel as strings
-- formatted with %.17g: Lua would truncate a number reply to an integer. ttl() is the longest PEXPIRE takes
-- (~31,700 years) at most, plus a second of slack.
if redis.replicate_commands then redis.replicate_commands() end
local function fmt(x) return string.format('%.17g', x) end
local function ttl(ms) return string.format('%d', math.min(math.ceil(ms), 1e15) + 1000) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

-- KEYS[1] is a sorted set of admitted requests (score = server µs, member = a unique id followed by '|weight' when the
-- request took other than 1 token). KEYS[2] is one string, 'sum oldest expires': the weights' total, a lower bound of the
-- oldest score (a call looks into KEYS[1] for requests that left the window only once one may have), and when KEYS[1]'s TTL
-- ends (server µs: moved a window ahead once per window; every write re-applies it). KEYS[2] lives a window past the newest request, so a missing
-- KEYS[2] is an empty window, and a KEYS[1] left without it holds only requests that left the window.
local win = tonumber(ARGV[2])
local cutoff = now - win
local sum = 0
local oldest = nil
local expires = 0
local state = redis.call('GET', KEYS[2])
if state then
  local a = string.find(state, ' ', 1, true)
  local b = string.find(state, ' ', a + 1, true)
  sum = tonumber(string.sub(state, 1, a - 1))
  oldest = tonumber(string.sub(state, a + 1, b - 1))
  expires = tonumber(string.sub(state, b + 1))
end
local function weight(m)
  local p = string.find(m, '|', 1, true)
  if p then return tonumber(string.sub(m, p + 1)) end
  return 1
end
-- Forgets the requests that left the window (and a log left behind by an expired KEYS[2]); true when the sum changed.
local function prune()
  if not state then
    redis.call('DEL', KEYS[1])
    return false
  end
  if oldest == nil or oldest > cutoff then return false end
  local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
  if #old > 0 then
    for i = 1, #old do sum = sum - weight(old[i]) end
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
  end
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #first == 0 then
    -- An empty log sums to exactly 0: do not let rounding drift accumulate.
    sum = 0
    oldest = nil
  else
    oldest = tonumber(first[2])
  end
  return true
end
local function encode() return string.format('%.17g %d %d', math.max(0, sum), oldest or now, expires) end
-- Adds the admitted requests ({ score, member, ... }) and sets KEYS[2], a window's TTL on it, and KEYS[1]'s when due.
local function record(entries)
  for i = 1, #entries, 200 do
    redis.call('ZADD', KEYS[1], unpack(entries, i, math.min(i + 199, #entries)))
  end
  if oldest == nil then oldest = now end
  -- Every write gives KEYS[1] its TTL: a log deleted or evicted beside a surviving KEYS[2] is recreated by ZADD without one.
  -- (Coalesced callers share one call, so this is one command per batch, not per request.)
  if expires < now + win then expires = now + 2 * win end
  redis.call('PEXPIRE', KEYS[1], ttl((expires - now) / 1000))
  redis.call('SET', KEYS[2], encode(), 'PX', ttl(win / 1000))
end
-- Seconds (a number) until a request of req tokens fits, the window holding total: until enough of the oldest requests leave.
-- The first read takes as many as unit weights would need (usually one), the next ones 64 each.
local function retry(req, total, cap)
  local freed = 0
  local start = 0
  local count = math.max(1, math.min(64, math.ceil(total + req - cap - 1e-9)))
  while true do
    local batch = redis.call('ZRANGE', KEYS[1], start, start + count - 1, 'WITHSCORES')
    if #batch == 0 then return win / 1000000 end
    for i = 1, #batch, 2 do
      freed = freed + weight(batch[i])
      if total - freed + req <= cap + 1e-9 then
        return (tonumber(batch[i + 1]) + win - now) / 1000000
      end
    end
    start = start + count
    count = 64
  end
end
-- Admits req tokens as the request 'member' when the window has room; true when admitted.
local function admit(req, cap, member, entries)
  if sum + req > cap + 1e-9 then return false end
  sum = sum + req
  if req ~= 1 then member = member .. '|' .. fmt(req) end
  entries[#entries + 1] = now
  entries[#entries + 1] = member
  return true
end
-- One request of ARGV[3], or (with ARGV[5]) that many of ARGV[3] each, decided in order as one-by-one calls would be.
-- Batched requests are the members 'ARGV[4].1' ... 'ARGV[4].n'. Requests decided in this call and still waiting to be
-- added score now, so they would leave the window last: retry() without them answers the same.
local cap = tonumber(ARGV[1])
local req = tonumber(ARGV[3])
local n = tonumber(ARGV[5])
local changed = prune()
local entries = {}
local granted = 0
while granted < (n or 1) do
  local member = ARGV[4]
  if n then member = member .. '.' .. (granted + 1) end
  if not admit(req, cap, member, entries) then break end
  granted = granted + 1
end
local after = nil
if granted < (n or 1) then after = retry(req, sum, cap) end
if granted > 0 then
  record(entries)
elseif changed then
  redis.call('SET', KEYS[2], encode(), 'KEEPTTL')
end
-- Binary doubles, as the token bucket answers: formatting decimals is the dearest part of a reply.
if n == nil then return struct.pack('<dd', after or -1, math.max(0, cap - sum)) end
return struct.pack('<ddd', granted, after or -1, math.max(0, cap - sum))
