-- Adds @delta to the number under @key, in double precision as the in-memory storage does. Not INCRBYFLOAT: Redis
-- computes that in long double, so 1e308 + 1e308 is stored (and answered) as 2e308, which a client reads as infinity.
-- A result that is not finite is an error and leaves the value unchanged. The key keeps its TTL (a new key has none).
local current = redis.call('GET', @key)
local value = 0
if current then
  value = tonumber(current)
  if value == nil then
    return redis.error_reply('ERR value is not a valid float')
  end
end

local result = value + tonumber(@delta)
if result ~= result or result == math.huge or result == -math.huge then
  return redis.error_reply('ERR increment would produce NaN or Infinity')
end

local text = string.format('%.17g', result)
redis.call('SET', @key, text, 'KEEPTTL')
return text
