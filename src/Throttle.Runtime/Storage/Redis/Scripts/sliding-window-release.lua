-- Forgets the newest requests worth @tokens (a shrunk request keeps its id and score).
if not state then return 0 end
local remaining = tonumber(@tokens)
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
  return 0
end
-- Re-adding a shrunk request may have re-created the log: set its TTL again. @sum keeps its own.
expires = now + 2 * win
redis.call('PEXPIRE', @log, ttl(2 * win / 1000))
redis.call('SET', @sum, encode(), 'KEEPTTL')
return 0
