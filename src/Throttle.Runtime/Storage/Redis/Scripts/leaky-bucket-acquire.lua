-- Reserves the next start of the schedule (README.md, "Limiters"): the bucket hash holds, in server µs, 'e' = when
-- the queue empties, 's' = the newest reserved start, 'u' = the last change. The level is (e - now) * rate.
local cap = tonumber(@capacity)
local rate = tonumber(@rate)
local req = tonumber(@tokens)
local maxd = tonumber(@maxDelay)
local e = tonumber(redis.call('HGET', @bucket, 'e'))
local ahead = 0
if e ~= nil and e > now then ahead = e - now end
local level = ahead * rate / 1000000
local wait = 0
if level > 1e-9 then wait = ahead end
if level + req <= cap + 1e-9 and (maxd < 0 or wait <= maxd) then
  local start = now
  if ahead > 0 then start = e end
  local fin = start + req / rate * 1000000
  redis.call('HSET', @bucket, 'e', fmt(fin), 's', fmt(start), 'u', fmt(now))
  redis.call('PEXPIRE', @bucket, ttl((fin - now) / 1000))
  return { '1', fmt(wait / 1000000), fmt(fin), fmt(math.max(0, cap - (fin - now) * rate / 1000000)) }
end
return { '0', fmt(wait / 1000000), fmt(math.max(0, (level + req - cap - 1e-9) / rate)), fmt(math.max(0, cap - level)) }
