-- @log is a sorted set of admitted requests (score = server µs, member = a unique id followed by '|weight' when the
-- request took other than 1 token). @sum is one string, 'sum oldest expires': the weights' total, a lower bound of the
-- oldest score (a call looks into @log for requests that left the window only once one may have), and when @log's TTL
-- ends (server µs: moved a window ahead once per window; every write re-applies it). @sum lives a window past the newest request, so a missing
-- @sum is an empty window, and a @log left without it holds only requests that left the window.
local win = tonumber(@window)
local cutoff = now - win
local sum = 0
local oldest = nil
local expires = 0
local state = redis.call('GET', @sum)
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
-- Forgets the requests that left the window (and a log left behind by an expired @sum); true when the sum changed.
local function prune()
  if not state then
    redis.call('DEL', @log)
    return false
  end
  if oldest == nil or oldest > cutoff then return false end
  local old = redis.call('ZRANGEBYSCORE', @log, '-inf', cutoff)
  if #old > 0 then
    for i = 1, #old do sum = sum - weight(old[i]) end
    redis.call('ZREMRANGEBYSCORE', @log, '-inf', cutoff)
  end
  local first = redis.call('ZRANGE', @log, 0, 0, 'WITHSCORES')
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
-- Adds the admitted requests ({ score, member, ... }) and sets @sum, a window's TTL on it, and @log's when due.
local function record(entries)
  for i = 1, #entries, 200 do
    redis.call('ZADD', @log, unpack(entries, i, math.min(i + 199, #entries)))
  end
  if oldest == nil then oldest = now end
  -- Every write gives @log its TTL: a log deleted or evicted beside a surviving @sum is recreated by ZADD without one.
  -- (Coalesced callers share one call, so this is one command per batch, not per request.)
  if expires < now + win then expires = now + 2 * win end
  redis.call('PEXPIRE', @log, ttl((expires - now) / 1000))
  redis.call('SET', @sum, encode(), 'PX', ttl(win / 1000))
end
-- Seconds (a number) until a request of req tokens fits, the window holding total: until enough of the oldest requests leave.
-- The first read takes as many as unit weights would need (usually one), the next ones 64 each.
local function retry(req, total, cap)
  local freed = 0
  local start = 0
  local count = math.max(1, math.min(64, math.ceil(total + req - cap - 1e-9)))
  while true do
    local batch = redis.call('ZRANGE', @log, start, start + count - 1, 'WITHSCORES')
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
