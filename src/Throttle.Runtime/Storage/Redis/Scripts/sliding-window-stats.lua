local cap = tonumber(@capacity)
local win = tonumber(@window)
local sum = tonumber(redis.call('GET', @sum) or '0')
local old = redis.call('ZRANGEBYSCORE', @log, '-inf', now - win)
for i = 1, #old do sum = sum - weight(old[i]) end
local top = redis.call('ZRANGE', @log, -1, -1, 'WITHSCORES')
local last = ''
if #top > 0 then last = top[2] end
return { fmt(math.max(0, math.min(cap, cap - sum))), last }
