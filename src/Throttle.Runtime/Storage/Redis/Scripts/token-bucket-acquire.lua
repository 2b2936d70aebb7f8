-- One request of @tokens, or (with @count) that many of @tokens each, decided in order as one-by-one calls would be.
-- Answers binary doubles (see RedisScripts.cs): no decimal formatting on the hot path.
local req = tonumber(@tokens)
local n = tonumber(@count)
local want = n or 1
local granted = 0
-- Takes req tokens while the balance covers them (1e-9 absorbs floating-point noise).
while granted < want and tokens + 1e-9 >= req do
  tokens = tokens - req
  if tokens < 0 then tokens = 0 end
  granted = granted + 1
end
if granted > 0 then
  -- store(), inline (token-bucket-store.lua).
  if now + (cap - tokens) / rate * 1000000 + 10000 <= expires then
    redis.call('SET', @bucket, struct.pack('<ddd', tokens, upd, expires), 'KEEPTTL')
  else
    local ms = math.min(math.ceil((cap - tokens) / rate * 1000), 1e15) + 1000
    redis.call('SET', @bucket, struct.pack('<ddd', tokens, upd, now + ms * 1000), 'PX', string.format('%d', ms))
  end
end
local retry = -1
if granted < want then retry = (req - tokens - 1e-9) / rate end
if n == nil then return struct.pack('<dd', retry, tokens) end
return struct.pack('<ddd', granted, retry, tokens)
