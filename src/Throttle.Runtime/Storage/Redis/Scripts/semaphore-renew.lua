local score = redis.call('ZSCORE', @holders, @id)
if not score then
  return 0
end
if tonumber(score) <= now then
  redis.call('ZREM', @holders, @id)
  return 0
end
local expiry = now + tonumber(@lease)
redis.call('ZADD', @holders, 'XX', expiry, @id)
cover(@holders, expiry, false)
cover(@max, expiry, false)
if @bounded == '0' then
  cover(@extra, expiry, false)
end
return 1
