-- Prelude of the semaphore scripts that hand slots over (after semaphore-common.lua).
-- The slots: value (the stored one when nil: a caller whose value no attempt has checked), plus the slots added by
-- unbounded releases without a lease.
local function capacity(value)
  value = value or tonumber(redis.call('GET', @max) or @value)
  if @bounded == '0' then
    value = value + tonumber(redis.call('GET', @extra) or '0')
  end
  return value
end

-- Removes expired holders, but only when there is one: the earliest lease tells (a read, where the sweep is a write).
-- Answers the earliest live lease's expiry (nil when nobody holds a slot) and whether holders were removed.
local function sweep()
  local first = redis.call('ZRANGE', @holders, 0, 0, 'WITHSCORES')
  if #first == 0 then
    return nil, false
  end
  local earliest = tonumber(first[2])
  if earliest > now then
    return earliest, false
  end
  redis.call('ZREMRANGEBYSCORE', @holders, '-inf', now)
  first = redis.call('ZRANGE', @holders, 0, 0, 'WITHSCORES')
  return #first > 0 and tonumber(first[2]) or nil, true
end

-- The number of holders once the expired ones are gone.
local function live(held)
  local _, swept = sweep()
  return swept and redis.call('ZCARD', @holders) or held
end

-- The waiters of the caller's own instance that a hand-off named (space-separated): the caller wakes them from its
-- answer, so they are not published.
local woken = ''

-- Hands the free slots to the head of the queue, in ticket order: each waiter becomes a holder until its place would
-- have expired (its own lease from its last attempt, so never later than it believes). Waiters of the caller's
-- instance (ids starting with @instance) are answered to the caller in `woken`; the others' ids go out on the sharded
-- channel, so only they wake, without running a script. Waiters whose place expired are dropped on the way.
-- Expired holders must have been removed; held is the number of holders. Answers the slots still free.
local function handoff(slots, held)
  local free = slots - held
  local handed, entries, last = {}, {}, 0
  while free > 0 do
    local popped = redis.call('ZPOPMIN', @queue, free)
    if #popped == 0 then
      break
    end
    local next = {}
    for i = 1, #popped, 2 do
      next[#next + 1] = popped[i]
    end
    local expiries = redis.call('ZMSCORE', @alive, unpack(next))
    redis.call('ZREM', @alive, unpack(next))
    for i = 1, #next do
      local expiry = tonumber(expiries[i])
      if expiry and expiry > now then
        handed[#handed + 1] = next[i]
        entries[#entries + 1] = expiry
        entries[#entries + 1] = next[i]
        if expiry > last then
          last = expiry
        end
        free = free - 1
      end
    end
  end
  if #handed > 0 then
    redis.call('ZADD', @holders, unpack(entries))
    cover(@holders, last, held == 0)
    local mine, others = {}, {}
    local prefix = @instance
    for i = 1, #handed do
      if prefix ~= '' and string.sub(handed[i], 1, #prefix) == prefix then
        mine[#mine + 1] = handed[i]
      else
        others[#others + 1] = handed[i]
      end
    end
    if #others > 0 then
      redis.call('SPUBLISH', @channel, table.concat(others, ' '))
    end
    woken = table.concat(mine, ' ')
  end
  return free
end
