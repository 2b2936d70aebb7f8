local cap = tonumber(@capacity)
local rate = tonumber(@rate)
local req = tonumber(@tokens)
local s = redis.call('HMGET', @bucket, 't', 'u')
local tokens = tonumber(s[1])
local upd = tonumber(s[2])
if tokens == nil or upd == nil then
  return 0
end
if now > upd then
  tokens = tokens + (now - upd) * rate / 1000000
  upd = now
end
tokens = math.min(cap, tokens + req)
redis.call('HSET', @bucket, 't', fmt(tokens), 'u', fmt(upd))
redis.call('PEXPIRE', @bucket, ttl((cap - tokens) / rate * 1000))
return 0
