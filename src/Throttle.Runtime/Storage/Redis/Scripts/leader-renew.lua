-- Extends the lease only while it is still this term's (holder id and fencing token): compare and extend.
local t = redis.call('TIME')
local now = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
if redis.call('GET', @holder) ~= @value then
  return {0, now}
end
redis.call('PEXPIRE', @holder, @ttl)
return {1, now}
