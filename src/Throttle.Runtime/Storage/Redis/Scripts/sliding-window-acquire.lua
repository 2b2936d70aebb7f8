local cap = tonumber(@capacity)
local win = tonumber(@window)
local req = tonumber(@tokens)
local cutoff = now - win
local sum = tonumber(redis.call('GET', @sum) or '0')
local old = redis.call('ZRANGEBYSCORE', @log, '-inf', cutoff)
if #old > 0 then
  for i = 1, #old do sum = sum - weight(old[i]) end
  redis.call('ZREMRANGEBYSCORE', @log, '-inf', cutoff)
  -- An empty log sums to exactly 0: do not let rounding drift accumulate.
  if redis.call('ZCARD', @log) == 0 then sum = 0 end
end
if sum + req <= cap + 1e-9 then
  local member = @member
  if req ~= 1 then member = member .. '|' .. fmt(req) end
  redis.call('ZADD', @log, now, member)
  redis.call('SET', @sum, fmt(sum + req), 'PX', ttl(win / 1000))
  redis.call('PEXPIRE', @log, ttl(win / 1000))
  return -1
end
if #old > 0 then redis.call('SET', @sum, fmt(sum), 'KEEPTTL') end
-- Rejected: wait until enough of the oldest requests leave the window.
local freed = 0
local start = 0
while true do
  local batch = redis.call('ZRANGE', @log, start, start + 63, 'WITHSCORES')
  if #batch == 0 then return fmt(win / 1000000) end
  for i = 1, #batch, 2 do
    freed = freed + weight(batch[i])
    if sum - freed + req <= cap + 1e-9 then
      return fmt((tonumber(batch[i + 1]) + win - now) / 1000000)
    end
  end
  start = start + 64
end
