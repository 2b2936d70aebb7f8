local rate = tonumber(@rate)
local req = tonumber(@tokens)
local s = redis.call('HMGET', @bucket, 'l', 'u')
local level = tonumber(s[1])
local upd = tonumber(s[2])
if level == nil or upd == nil then
  return 0
end
if now > upd then
  level = level - (now - upd) * rate / 1000000
  upd = now
end
level = math.max(0, level - req)
redis.call('HSET', @bucket, 'l', fmt(level), 'u', fmt(upd))
redis.call('PEXPIRE', @bucket, ttl(level / rate * 1000))
return 0
