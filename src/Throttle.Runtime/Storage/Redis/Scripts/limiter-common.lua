-- Prelude of the limiter scripts (see RedisScripts.cs for each script's KEYS and ARGV).
-- Time is the server's (TIME, in microseconds), so clients with skewed clocks agree. Numbers travel as strings
-- formatted with %.17g: Lua would truncate a number reply to an integer. ttl() is the longest PEXPIRE takes
-- (~31,700 years) at most, plus a second of slack.
if redis.replicate_commands then redis.replicate_commands() end
local function fmt(x) return string.format('%.17g', x) end
local function ttl(ms) return string.format('%d', math.min(math.ceil(ms), 1e15) + 1000) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

