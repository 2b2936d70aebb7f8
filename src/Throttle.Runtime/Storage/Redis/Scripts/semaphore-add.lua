-- An unbounded release without a lease adds a slot (kept in meta: it expires with the semaphore).
clock()
local meta = redis.call('HMGET', @meta, 'v', 'c')
local added = redis.call('HINCRBY', @meta, 'x', '1')
if meta[2] then
  coveredText = meta[2]
  covered = tonumber(meta[2])
else
  -- A new semaphore: the added slot lives one lease (the value is set by the first attempt).
  cover(now + tonumber(@lease), tonumber(@lease))
end
waiting = redis.call('ZCARD', @waiters)
if waiting > 0 then
  sweep()
  local held = redis.call('ZCARD', @holders)
  handoff(tonumber(meta[1] or @value) + added - held, held == 0, '')
end
if woken == '' then
  return 1
end
return {1, woken}
