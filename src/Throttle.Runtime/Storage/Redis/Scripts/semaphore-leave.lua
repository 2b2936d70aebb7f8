if redis.call('ZREM', @queue, @id) == 1 then
  redis.call('ZREM', @alive, @id)
  return {1, ''}
end
-- Not in the queue: a release may have handed this waiter a slot while it was giving up. Pass it on.
if redis.call('ZREM', @holders, @id) == 1 then
  handoff(capacity(tonumber(@value)), live(redis.call('ZCARD', @holders))) -- value checked by the attempt that queued it
  return {2, woken}
end
return {0, ''}
