clock()
-- The release of a lease of the caller's instance sent along with this attempt (disposed just before it): done first,
-- as if sent on its own just before; its status ends every answer (nil, so left out, without one).
local released = @release ~= '' and release(@release, true) or nil
local value = tonumber(@value)
local lease = tonumber(@lease)
local expiry = now + lease
local bounded = @bounded == '1'
local meta = bounded and redis.call('HMGET', @meta, 'v', 'c') or redis.call('HMGET', @meta, 'v', 'c', 'x')
if kept and not (meta[1] and tonumber(meta[1]) == value) then
  -- A new semaphore, or a refusal: the carried release completes first.
  redis.call('ZREM', @holders, kept)
  kept = false
end
if not meta[1] then
  -- A new semaphore (or an idle one that expired), unless an older version's keys hold it.
  if redis.call('EXISTS', @legacy) == 1 then
    return {-2, 0, released}
  end
  redis.call('HSET', @meta, 'v', @value)
elseif tonumber(meta[1]) ~= value then
  return {-1, tonumber(meta[1]), released}
end
coveredText = meta[2]
covered = tonumber(meta[2] or '0')
cover(expiry, lease)
if kept then
  -- The carried release freed a slot and nobody waits, so nobody is overtaken: the caller takes it (renewed, if a
  -- release handed it a slot while this attempt was on its way, which leaves the freed one free).
  redis.call('ZADD', @holders, expiry, @id)
  redis.call('ZREM', @holders, kept)
  return (woken == '' and not released) and 1 or {1, woken, released}
end
local slots = bounded and value or value + tonumber(meta[3] or '0')
-- Holders, expired ones included: while they are fewer than the slots and nobody waits, a slot is free without
-- looking at their expiries (expired holders only matter once they would fill the semaphore).
local held = redis.call('ZCARD', @holders)
local free = slots - held
if not waitingRead then
  waiting = free > 0 and redis.call('ZCARD', @waiters) or -1 -- -1: not read (the semaphore is full)
end
local earliest = false -- the earliest live lease's expiry (nil: none), once read
if free <= 0 or waiting > 0 then
  local swept
  earliest, swept = sweep()
  if swept then
    held = redis.call('ZCARD', @holders)
    free = slots - held
  end
  if free > 0 then
    -- Slots freed by expired leases go to the head of the queue before anyone new.
    if waiting < 0 then
      waiting = redis.call('ZCARD', @waiters)
    end
    free = handoff(free, held == 0, @id)
  end
end
if @mode == 'again' then
  -- Handed a slot by a release (or just now) while this attempt was on its way: take it, renewed. An expired one
  -- (left there while the semaphore had room) is taken afresh below.
  local mine = redis.call('ZSCORE', @holders, @id)
  if mine and tonumber(mine) > now then
    redis.call('ZADD', @holders, 'XX', expiry, @id)
    return (woken == '' and not released) and 1 or {1, woken, released}
  end
end
if free > 0 then
  -- Free slots left after the hand-off mean an empty queue: nobody to overtake.
  redis.call('ZADD', @holders, expiry, @id)
  if held == 0 then
    fresh(@holders)
  end
  return (woken == '' and not released) and 1 or {1, woken, released}
end
if @mode ~= 'try' then
  -- Keeps its ticket when it still has a place (refreshed to this attempt's lease); else the next ticket, so arrival
  -- order holds while anyone waits.
  if waiting < 0 then
    waiting = redis.call('ZCARD', @waiters)
  end
  local entry = @id .. '|' .. expiry
  local old = @mode == 'again' and @id .. '|' .. @place
  local ticket = old and redis.call('ZSCORE', @waiters, old)
  redis.call('ZADD', @waiters, ticket or redis.call('HINCRBY', @meta, 't', '1'), entry)
  if ticket and old ~= entry then
    redis.call('ZREM', @waiters, old) -- after the ZADD: removing the only entry first would delete the key and its TTL
  end
  if waiting == 0 then
    fresh(@waiters)
  end
end
return {0, earliest and earliest - now or -1, woken, expiry, released}
