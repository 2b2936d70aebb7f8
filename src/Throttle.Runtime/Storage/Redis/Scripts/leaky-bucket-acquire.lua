local cap = tonumber(@capacity)
local rate = tonumber(@rate)
local req = tonumber(@tokens)
local s = redis.call('HMGET', @bucket, 'l', 'u')
local level = tonumber(s[1])
local upd = tonumber(s[2])
if level == nil or upd == nil then
  level = 0
  upd = now
elseif now > upd then
  level = math.max(0, level - (now - upd) * rate / 1000000)
  upd = now
end
if level + req <= cap + 1e-9 then
  level = math.min(cap, level + req)
  redis.call('HSET', @bucket, 'l', fmt(level), 'u', fmt(upd))
  redis.call('PEXPIRE', @bucket, ttl(level / rate * 1000))
  return -1
end
return fmt((level + req - cap - 1e-9) / rate)
