local cap = tonumber(@capacity)
local rate = tonumber(@rate)
local s = redis.call('HMGET', @bucket, 'l', 'u')
local level = tonumber(s[1])
local upd = tonumber(s[2])
if level == nil or upd == nil then
  return { fmt(cap), '' }
end
if now > upd then
  level = math.max(0, level - (now - upd) * rate / 1000000)
end
return { fmt(math.max(0, cap - level)), fmt(upd) }
