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

-- Hands the free slots to the head of the queue, in ticket order: each waiter becomes a holder until its place would
-- have expired (its own lease from its last attempt, so never later than it believes), and their ids go out on the
-- sharded channel, so only they wake, without running a script. Waiters whose place expired are dropped on the way.
-- Expired holders must have been removed. Answers the slots still free.
local function handoff(slots)
  local held = redis.call('ZCARD', @holders)
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
    redis.call('SPUBLISH', @channel, table.concat(handed, ' '))
  end
  return free
end

