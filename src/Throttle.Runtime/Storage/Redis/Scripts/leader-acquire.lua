-- Takes the leadership if nobody holds it (or this holder still does), in one step with a new fencing token.
-- Time is the server's, in µs. The fencing token is max(last + 1, now in µs): strictly increasing while the fence key
-- lives (its TTL is long and refreshed by every acquire), and still increasing after it expired or was lost (a flush, a
-- failover to a replica that missed the write) because it is never below the server's clock, which only moves forward
-- by more than any earlier token. Tokens stay below 2^53 (exact in Lua's doubles) until the year 2255.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local current = redis.call('GET', @holder)
local mine = @id .. '|'
if current and string.sub(current, 1, #mine) ~= mine then
  return {0, redis.call('PTTL', @holder), string.format('%.0f', now)}
end
local token = tonumber(redis.call('GET', @fence) or '0') + 1
if token < now then
  token = now
end
local text = string.format('%.0f', token)
redis.call('SET', @fence, text, 'PX', @fenceTtl)
redis.call('SET', @holder, mine .. text, 'PX', @ttl)
return {1, text, string.format('%.0f', now)}
