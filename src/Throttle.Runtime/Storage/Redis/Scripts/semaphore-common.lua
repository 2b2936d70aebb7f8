-- Prelude of the semaphore scripts (see RedisScripts.cs for each script's KEYS and ARGV). Time is the server's, in ms.
-- TTLs: every key of a semaphore expires at one instant, meta's field c ("covered"), which is always at least a second
-- after the latest lease or place in the queue. A script that writes a later expiry moves it (and every key's TTL) to
-- that expiry + 1 s + half a lease, so a busy semaphore extends its TTLs about once per half lease, not on every call;
-- a key a script creates gets the current one. An idle semaphore disappears whole 1 to 1.5 lease times (+ 1 s) after
-- its last holder or waiter.
local now = 0 -- read from TIME by the scripts (and paths) that need it: clock()
local covered = 0 -- meta's c, once read
-- covered as text, for redis.call: a Lua number passed to it is formatted with %.17g, a costly sprintf, so the text
-- read from meta is passed on, and a moved instant is formatted once for its four writes.
local coveredText = false

local function clock()
  local t = redis.call('TIME')
  now = t[1] * 1000 + math.floor(t[2] / 1000)
end

-- Makes every key live until at least expiry + 1 s (lease: the writer's lease time, ms, for the headroom).
local function cover(expiry, lease)
  if covered >= expiry + 1000 then
    return
  end
  covered = expiry + 1000 + math.floor(lease / 2)
  coveredText = tostring(covered)
  redis.call('HSET', @meta, 'c', coveredText)
  redis.call('PEXPIREAT', @meta, coveredText)
  redis.call('PEXPIREAT', @holders, coveredText)
  redis.call('PEXPIREAT', @waiters, coveredText)
end

-- A key just created (it was empty): it has no TTL yet.
local function fresh(key)
  if covered == 0 then
    coveredText = redis.call('HGET', @meta, 'c')
    covered = tonumber(coveredText or '0')
  end
  redis.call('PEXPIREAT', key, coveredText or covered)
end
