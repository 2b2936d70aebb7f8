local removed = redis.call('ZREM', @queue, @id)
redis.call('ZREM', @alive, @id)
keep()
if removed == 1 then
  redis.call('PUBLISH', @channel, '1')
end
return removed
