if @id ~= '' then
  local score = redis.call('ZSCORE', @holders, @id)
  if not score then
    return 0
  end
  redis.call('ZREM', @holders, @id)
  if redis.call('ZCARD', @queue) > 0 then
    redis.call('ZREMRANGEBYSCORE', @holders, '-inf', now)
    handoff(capacity())
  end
  if tonumber(score) <= now then
    return 0
  end
  return 1
end
if @bounded == '1' then
  return -1
end
local added = redis.call('INCR', @extra)
cover(@extra, now + tonumber(@lease), added == 1)
if redis.call('ZCARD', @queue) > 0 then
  redis.call('ZREMRANGEBYSCORE', @holders, '-inf', now)
  handoff(capacity())
end
return 2
