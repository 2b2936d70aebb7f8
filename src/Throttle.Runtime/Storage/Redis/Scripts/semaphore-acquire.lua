local value = tonumber(@value)
local lease = tonumber(@lease)
local expiry = now + lease
local stored = redis.call('GET', @max)
if not stored then
  redis.call('SET', @max, @value, 'PX', lease + 1000)
elseif tonumber(stored) ~= value then
  return {-1, tonumber(stored)}
else
  cover(@max, expiry, false)
end
if @bounded == '0' then
  cover(@extra, expiry, false)
end
redis.call('ZREMRANGEBYSCORE', @holders, '-inf', now)
local slots = capacity(value)
local free
if redis.call('ZCARD', @queue) > 0 then
  -- Slots freed by expired leases go to the head of the queue before anyone new.
  free = handoff(slots)
else
  free = slots - redis.call('ZCARD', @holders)
end
if @mode == 'again' then
  -- Handed a slot by a release (or just now) while this attempt was on its way: take it, renewed.
  if redis.call('ZSCORE', @holders, @id) then
    redis.call('ZADD', @holders, 'XX', expiry, @id)
    cover(@holders, expiry, false)
    return {1, expiry}
  end
end
if free > 0 then
  -- Free slots left after the hand-off mean an empty queue: nobody to overtake.
  redis.call('ZADD', @holders, expiry, @id)
  cover(@holders, expiry, free == slots)
  return {1, expiry}
end
if @mode ~= 'try' then
  local fresh = false
  if @mode == 'wait' or not redis.call('ZSCORE', @queue, @id) then
    -- A new place (or one that expired): the ticket after the last one, so arrival order holds while anyone waits.
    local last = redis.call('ZRANGE', @queue, -1, -1, 'WITHSCORES')
    fresh = #last == 0
    redis.call('ZADD', @queue, fresh and 1 or tonumber(last[2]) + 1, @id)
  end
  redis.call('ZADD', @alive, expiry, @id)
  cover(@queue, expiry, fresh)
  cover(@alive, expiry, fresh)
end
local first = redis.call('ZRANGE', @holders, 0, 0, 'WITHSCORES')
if #first > 0 then
  return {0, tonumber(first[2]) - now}
end
return {0, -1}
