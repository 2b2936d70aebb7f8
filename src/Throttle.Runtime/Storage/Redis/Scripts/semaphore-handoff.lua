-- Prelude of the semaphore scripts that hand slots over (after semaphore-common.lua).
-- A waiter's entry in the queue is '<id>|<expiry of its place>', scored by its ticket.

-- Removes expired holders, but only when there is one: the earliest lease tells (a read, where the sweep is a write).
-- Answers the earliest live lease's expiry (nil when nobody holds a slot) and whether holders were removed.
local function sweep()
  local first = redis.call('ZRANGE', @holders, '0', '0', 'WITHSCORES')
  if #first == 0 then
    return nil, false
  end
  local earliest = tonumber(first[2])
  if earliest > now then
    return earliest, false
  end
  redis.call('ZREMRANGEBYSCORE', @holders, '-inf', now)
  first = redis.call('ZRANGE', @holders, '0', '0', 'WITHSCORES')
  return #first > 0 and tonumber(first[2]) or nil, true
end

-- The waiters of the caller's own instance that a hand-off named (space-separated): the caller wakes them from its
-- answer, so they are not published.
local woken = ''
local waiting = 0 -- entries in the queue: read by the caller before handoff, kept by it
local waitingRead = false -- whether waiting holds the queue's length (kept by handoff), so a later step need not read it

-- Hands free slots to the head of the queue, in ticket order: each waiter becomes a holder until its place would
-- have expired (its own lease from its last attempt, so never later than it believes). Waiters of the caller's
-- instance (ids with its prefix) are answered to the caller in `woken`; the others' ids go out on the sharded
-- channel, so only they wake, without running a script. Waiters whose place expired are dropped on the way.
-- Expired holders must have been removed; empty: the holders key may not exist (a new one needs its TTL); caller:
-- the caller's holder id ('<instance>:<n>': its instance is the id up to the last ':', matched only once a waiter
-- is found), or ''.
-- Answers the slots still free.
local function handoff(free, empty, caller)
  if free <= 0 or waiting == 0 then
    return free
  end
  if now == 0 then
    clock()
  end
  local entries, mine, others = {}, {}, {}
  local prefix -- the caller's instance, once a waiter is found
  while free > 0 and waiting > 0 do
    -- '1' (a release's one slot) as a string: redis.call formats a Lua number with %.17g, a costly sprintf.
    local popped = redis.call('ZPOPMIN', @waiters, free == 1 and '1' or free)
    if #popped == 0 then
      waiting = 0
      break
    end
    waiting = waiting - #popped / 2
    for i = 1, #popped, 2 do
      local entry = popped[i]
      local bar = string.find(entry, '|', 1, true)
      local expiry = string.sub(entry, bar + 1)
      if tonumber(expiry) > now then
        prefix = prefix or string.match(caller, '^(.*:)') or ''
        local id = string.sub(entry, 1, bar - 1)
        entries[#entries + 1] = expiry
        entries[#entries + 1] = id
        if string.sub(id, 1, #prefix) == prefix and prefix ~= '' then
          mine[#mine + 1] = id
        else
          others[#others + 1] = id
        end
        free = free - 1
      end
    end
  end
  if #entries > 0 then
    redis.call('ZADD', @holders, unpack(entries))
    if empty then
      fresh(@holders)
    end
    if #others > 0 then
      redis.call('SPUBLISH', @channel, table.concat(others, ' '))
    end
    if #mine > 0 then
      woken = woken == '' and table.concat(mine, ' ') or woken .. ' ' .. table.concat(mine, ' ')
    end
  end
  return free
end

-- Releases the lease of id: only a live lease is released; an expired one goes (as a sweep would take it) and is
-- reported. Either frees its slot: with nobody waiting that is all; else the slot goes to the head of the queue,
-- handed over before the ZREM so the holders key never empties meanwhile. (Slots of other expired leases wait for the
-- sweep of the next attempt that finds the semaphore full: waiters poll when the earliest lease expires.)
-- keep: a release an attempt carries; when nobody waits, the ZREM is left to that attempt (kept names the lease),
-- which adds its own lease first, so the holders key never empties and its count need not be read.
-- Answers 1 released, 0 the lease had expired or was gone (nothing released).
local kept = false
local function release(id, keep)
  local expiry = redis.call('ZSCORE', @holders, id)
  if not expiry then
    return 0
  end
  if now == 0 then
    clock()
  end
  local released = tonumber(expiry) > now and 1 or 0
  waiting = redis.call('ZCARD', @waiters)
  waitingRead = true
  if waiting > 0 then
    handoff(1, false, id)
  elseif keep then
    kept = id
    return released
  end
  redis.call('ZREM', @holders, id)
  return released
end
