clock()
local score = redis.call('ZSCORE', @holders, @id)
if not score then
  return 0
end
if tonumber(score) <= now then
  redis.call('ZREM', @holders, @id)
  return 0
end
local lease = tonumber(@lease)
local expiry = now + lease
covered = tonumber(redis.call('HGET', @meta, 'c') or '0')
cover(expiry, lease)
redis.call('ZADD', @holders, 'XX', expiry, @id)
return 1
