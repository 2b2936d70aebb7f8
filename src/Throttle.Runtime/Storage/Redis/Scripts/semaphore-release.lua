if @id ~= '' then
  -- Only a live lease is released; an expired one goes (as a sweep would take it) and is reported.
  local expiry = redis.call('ZSCORE', @holders, @id)
  local released = 0
  if expiry then
    redis.call('ZREM', @holders, @id)
    if tonumber(expiry) > now then
      released = 1
    end
  end
  if redis.call('ZCARD', @queue) > 0 then
    -- The lease's value was checked by the attempt that took it.
    handoff(capacity(tonumber(@value)), live(redis.call('ZCARD', @holders)))
  end
  return {released, woken}
end
if @bounded == '1' then
  return {-1, ''}
end
local added = redis.call('INCR', @extra)
cover(@extra, now + tonumber(@lease), added == 1)
if redis.call('ZCARD', @queue) > 0 then
  handoff(capacity(nil), live(redis.call('ZCARD', @holders)))
end
return {2, woken}
