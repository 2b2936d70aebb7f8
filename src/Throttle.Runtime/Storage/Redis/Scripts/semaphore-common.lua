-- Prelude of the semaphore scripts (see RedisScripts.cs for each script's KEYS and ARGV). Time is the server's, in ms.
-- TTLs: every key lives until the last lease or place in the queue it covers expires, plus a second, so an idle
-- semaphore disappears whole. A script extends only what it writes (and the value beside it), with PEXPIRE GT so a
-- shorter lease never cuts a longer one's; a key it has just created has no TTL yet, which GT would read as infinite.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function cover(key, expiry, fresh)
  local ms = string.format('%d', expiry - now + 1000)
  if fresh then
    redis.call('PEXPIRE', key, ms)
  else
    redis.call('PEXPIRE', key, ms, 'GT')
  end
end
