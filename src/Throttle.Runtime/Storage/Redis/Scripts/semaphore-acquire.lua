local value = tonumber(@value)
local stored = redis.call('GET', @max)
if not stored then
  redis.call('SET', @max, @value)
elseif tonumber(stored) ~= value then
  return {-1, tonumber(stored)}
end
redis.call('ZREMRANGEBYSCORE', @holders, '-inf', now)
local dead = redis.call('ZRANGEBYSCORE', @alive, '-inf', now)
if #dead > 0 then
  redis.call('ZREM', @queue, unpack(dead))
  redis.call('ZREM', @alive, unpack(dead))
end
local capacity = value
if @bounded == '0' then
  capacity = capacity + tonumber(redis.call('GET', @extra) or '0')
end
local free = capacity - redis.call('ZCARD', @holders)
local lease = tonumber(@lease)
if free > 0 then
  local rank = redis.call('ZRANK', @queue, @id)
  if (rank and rank < free) or ((not rank) and redis.call('ZCARD', @queue) < free) then
    redis.call('ZADD', @holders, now + lease, @id)
    if rank then
      redis.call('ZREM', @queue, @id)
      redis.call('ZREM', @alive, @id)
    end
    keep()
    return {1, now + lease}
  end
end
if @enqueue == '1' then
  if not redis.call('ZSCORE', @queue, @id) then
    redis.call('ZADD', @queue, redis.call('INCR', @ticket), @id)
  end
  redis.call('ZADD', @alive, now + lease, @id)
end
keep()
local first = redis.call('ZRANGE', @holders, 0, 0, 'WITHSCORES')
if #first > 0 and free <= 0 then
  return {0, tonumber(first[2]) - now}
end
return {0, -1}
