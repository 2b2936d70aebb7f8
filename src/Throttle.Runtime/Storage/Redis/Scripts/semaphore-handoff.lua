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
    woken = table.concat(mine, ' ')
  end
  return free
end
