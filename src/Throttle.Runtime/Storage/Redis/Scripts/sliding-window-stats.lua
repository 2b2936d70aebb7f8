if not state then return { fmt(tonumber(@capacity)), '' } end
if oldest ~= nil and oldest <= cutoff then
  local old = redis.call('ZRANGEBYSCORE', @log, '-inf', cutoff)
  for i = 1, #old do sum = sum - weight(old[i]) end
end
local top = redis.call('ZRANGE', @log, -1, -1, 'WITHSCORES')
local last = ''
if #top > 0 then last = top[2] end
local cap = tonumber(@capacity)
return { fmt(math.max(0, math.min(cap, cap - sum))), last }
