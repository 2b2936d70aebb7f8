local value = tonumber(@value)
local lease = tonumber(@lease)
local expiry = now + lease
local stored = redis.call('GET', @max)
if not stored then
  redis.call('SET', @max, @value, 'PX', lease + 1000)
elseif tonumber(stored) ~= value then
  return {-1, tonumber(stored), ''}
else
  cover(@max, expiry, false)
end
if @bounded == '0' then
  cover(@extra, expiry, false)
end
local slots = capacity(value)
-- Holders, expired ones included: while they are fewer than the slots and nobody waits, a slot is free without
-- looking at their expiries (expired holders only matter once they would fill the semaphore).
local held = redis.call('ZCARD', @holders)
local waiting = redis.call('ZCARD', @queue) > 0
local free = slots - held
local earliest = false -- the earliest live lease's expiry (nil: none), once read
if free <= 0 or waiting then
  local swept
  earliest, swept = sweep()
  if swept then
    held = redis.call('ZCARD', @holders)
  end
  if waiting then
    -- Slots freed by expired leases go to the head of the queue before anyone new.
    free = handoff(slots, held)
  else
    free = slots - held
  end
end
if @mode == 'again' then
  -- Handed a slot by a release (or just now) while this attempt was on its way: take it, renewed. An expired one
  -- (left there while the semaphore had room) is taken afresh below.
  local mine = redis.call('ZSCORE', @holders, @id)
  if mine and tonumber(mine) > now then
    redis.call('ZADD', @holders, 'XX', expiry, @id)
    cover(@holders, expiry, false)
    return {1, expiry, woken}
  end
end
if free > 0 then
  -- Free slots left after the hand-off mean an empty queue: nobody to overtake.
  redis.call('ZADD', @holders, expiry, @id)
  cover(@holders, expiry, held == 0)
  return {1, expiry, woken}
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
return {0, earliest and earliest - now or -1, woken}
