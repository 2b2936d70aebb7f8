local cap = tonumber(@capacity)
local rate = tonumber(@rate)
local s = redis.call('HMGET', @bucket, 'e', 'u')
local e = tonumber(s[1])
if e == nil then
  return { fmt(cap), '' }
end
local level = math.max(0, e - now) * rate / 1000000
return { fmt(math.max(0, cap - level)), s[2] }
