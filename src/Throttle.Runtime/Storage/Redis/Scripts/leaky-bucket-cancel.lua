-- A cancelled reservation that is still the last one (e unchanged) moves e back to its start; otherwise its slot
-- stays as a gap that drains, so no later call starts closer than 1/rate to another.
local rate = tonumber(@rate)
local req = tonumber(@tokens)
local fin = tonumber(@queueEnd)
local e = tonumber(redis.call('HGET', @bucket, 'e'))
if e == nil or e ~= fin then
  return 0
end
e = e - req / rate * 1000000
redis.call('HSET', @bucket, 'e', fmt(e), 'u', fmt(now))
redis.call('PEXPIRE', @bucket, ttl(math.max(0, e - now) / 1000))
return 0
