local cap = tonumber(@capacity)
local rate = tonumber(@rate)
local s = redis.call('HMGET', @bucket, 't', 'u')
local tokens = tonumber(s[1])
local upd = tonumber(s[2])
if tokens == nil or upd == nil then
  return { fmt(cap), '' }
end
if now > upd then
  tokens = tokens + (now - upd) * rate / 1000000
end
return { fmt(math.min(cap, tokens)), fmt(upd) }
