if @id ~= '' then
  local score = redis.call('ZSCORE', @holders, @id)
  if not score then
    return 0
  end
  redis.call('ZREM', @holders, @id)
  keep()
  if tonumber(score) <= now then
    return 0
  end
  redis.call('PUBLISH', @channel, '1')
  return 1
end
if @bounded == '1' then
  return -1
end
redis.call('INCR', @extra)
keep()
redis.call('PUBLISH', @channel, '1')
return 2
