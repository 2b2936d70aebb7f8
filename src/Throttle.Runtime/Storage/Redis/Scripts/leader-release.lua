-- Gives the leadership up only while it is still this term's (compare and delete), and tells the followers.
local t = redis.call('TIME')
local now = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
if redis.call('GET', @holder) ~= @value then
  return {0, now}
end
redis.call('DEL', @holder)
redis.call('PUBLISH', @channel, '1')
return {1, now}
