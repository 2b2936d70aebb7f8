-- Only a live lease is released; an expired one goes (as a sweep would take it) and is reported. Either frees its
-- slot: with nobody waiting that is all; else the slot goes to the head of the queue, handed over before the ZREM so
-- the holders key never empties meanwhile. (Slots of other expired leases wait for the sweep of the next attempt that
-- finds the semaphore full: waiters poll when the earliest lease expires.)
local expiry = redis.call('ZSCORE', @holders, @id)
if not expiry then
  return 0
end
clock()
local released = tonumber(expiry) > now and 1 or 0
waiting = redis.call('ZCARD', @waiters)
if waiting > 0 then
  handoff(1, false, @id)
end
redis.call('ZREM', @holders, @id)
if woken == '' then
  return released
end
return {released, woken}
