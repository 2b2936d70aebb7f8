local cap = tonumber(@capacity)
local rate = tonumber(@rate)
local req = tonumber(@tokens)
local s = redis.call('HMGET', @bucket, 't', 'u')
local tokens = tonumber(s[1])
local upd = tonumber(s[2])
if tokens == nil or upd == nil then
  tokens = cap
  upd = now
elseif now > upd then
  tokens = math.min(cap, tokens + (now - upd) * rate / 1000000)
  upd = now
else
  tokens = math.min(cap, tokens)
end
if tokens + 1e-9 >= req then
  tokens = math.max(0, tokens - req)
  redis.call('HSET', @bucket, 't', fmt(tokens), 'u', fmt(upd))
  redis.call('PEXPIRE', @bucket, ttl((cap - tokens) / rate * 1000))
  return -1
end
return fmt((req - tokens - 1e-9) / rate)
