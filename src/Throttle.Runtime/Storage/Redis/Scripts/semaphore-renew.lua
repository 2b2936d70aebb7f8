local score = redis.call('ZSCORE', @holders, @id)
if not score then
  return 0
end
if tonumber(score) <= now then
  redis.call('ZREM', @holders, @id)
  return 0
end
redis.call('ZADD', @holders, 'XX', now + tonumber(@lease), @id)
keep()
return 1
