local remaining = tonumber(@tokens)
local win = tonumber(@window)
local sum = tonumber(redis.call('GET', @sum) or '0')
while remaining > 1e-9 do
  local top = redis.call('ZRANGE', @log, -1, -1, 'WITHSCORES')
  if #top == 0 then break end
  local w = weight(top[1])
  redis.call('ZREM', @log, top[1])
  if w > remaining + 1e-9 then
    local p = string.find(top[1], '|', 1, true)
    local id = top[1]
    if p then id = string.sub(top[1], 1, p - 1) end
    redis.call('ZADD', @log, top[2], id .. '|' .. fmt(w - remaining))
    sum = sum - remaining
    remaining = 0
  else
    sum = sum - w
    remaining = remaining - w
  end
end
if redis.call('ZCARD', @log) == 0 then
  redis.call('DEL', @log, @sum)
else
  -- Re-adding a shrunk request may have re-created the set: set both TTLs again.
  redis.call('SET', @sum, fmt(math.max(0, sum)), 'PX', ttl(win / 1000))
  redis.call('PEXPIRE', @log, ttl(win / 1000))
end
return 0
