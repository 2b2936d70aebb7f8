-- Prelude of the semaphore scripts (see RedisScripts.cs for each script's KEYS and ARGV). Time is the server's, in ms.
-- keep() gives every key of the semaphore the same TTL: until the last lease or place in the queue it holds expires
-- (at least one lease time from now), plus a second. An idle semaphore so disappears whole, the arrival counter
-- never outlives or predeceases its queue, and a new user starts it afresh.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function keep()
  local last = now + tonumber(@lease)
  local h = redis.call('ZRANGE', @holders, -1, -1, 'WITHSCORES')
  if #h > 0 and tonumber(h[2]) > last then last = tonumber(h[2]) end
  local a = redis.call('ZRANGE', @alive, -1, -1, 'WITHSCORES')
  if #a > 0 and tonumber(a[2]) > last then last = tonumber(a[2]) end
  local ms = string.format('%d', last - now + 1000)
  redis.call('PEXPIRE', @holders, ms)
  redis.call('PEXPIRE', @max, ms)
  redis.call('PEXPIRE', @extra, ms)
  redis.call('PEXPIRE', @queue, ms)
  redis.call('PEXPIRE', @alive, ms)
  redis.call('PEXPIRE', @ticket, ms)
end

