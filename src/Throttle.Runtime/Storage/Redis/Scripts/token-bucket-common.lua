-- @bucket is one string, 'tokens updated' (%.17g and %d; updated = the last refill, server µs), with a PX expiry at
-- the moment the bucket is full again: a missing bucket is a full one. Refill is continuous and exact, as in memory.
local cap = tonumber(@capacity)
local rate = tonumber(@rate)
local tokens = cap
local upd = now
local last = nil -- the stored last refill, for the stats
local stored = redis.call('GET', @bucket)
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
  redis.call('SET', @bucket, string.format('%.17g %d', tokens, upd), 'PX', ttl((cap - tokens) / rate * 1000))
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
