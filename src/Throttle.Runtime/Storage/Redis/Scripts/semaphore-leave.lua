if redis.call('ZREM', @waiters, @id .. '|' .. @place) == 1 then
  return 1
end
-- Not in the queue: a release may have handed this waiter a slot while it was giving up. Pass it on (before the ZREM,
-- as a release does).
if redis.call('ZSCORE', @holders, @id) then
  waiting = redis.call('ZCARD', @waiters)
  handoff(1, false, @id)
  redis.call('ZREM', @holders, @id)
  if woken == '' then
    return 2
  end
  return {2, woken}
end
return 0
