-- Lowers the level, never below empty, once every reserved call has started (while one waits its start stays fixed).
local rate = tonumber(@rate)
local req = tonumber(@tokens)
local s = redis.call('HMGET', @bucket, 'e', 's')
local e = tonumber(s[1])
local start = tonumber(s[2])
if e == nil or (start ~= nil and start > now) then
  return 0
end
e = math.max(now, e - req / rate * 1000000)
redis.call('HSET', @bucket, 'e', fmt(e), 'u', fmt(now))
redis.call('PEXPIRE', @bucket, ttl((e - now) / 1000))
return 0
