if @id ~= '' then
  -- An expired lease goes with the others, so only a live one is released here.
  redis.call('ZREMRANGEBYSCORE', @holders, '-inf', now)
  local released = redis.call('ZREM', @holders, @id)
  if redis.call('ZCARD', @queue) > 0 then
    -- The lease's value was checked by the attempt that took it.
    handoff(capacity(tonumber(@value)))
  end
  return released
end
if @bounded == '1' then
  return -1
end
local added = redis.call('INCR', @extra)
cover(@extra, now + tonumber(@lease), added == 1)
if redis.call('ZCARD', @queue) > 0 then
  redis.call('ZREMRANGEBYSCORE', @holders, '-inf', now)
  handoff(capacity(nil))
end
return 2
