-- Prelude of the token bucket scripts, standing alone (no limiter-common.lua: the hot acquire defines no Lua function,
-- as each closure made per call costs server time). Time is the server's TIME in µs, as for every limiter.
-- @bucket is one binary string, three little-endian doubles (struct '<ddd'): tokens, updated (the last refill, server
-- µs) and expires (when the key's TTL ends, server µs). Binary rather than text: formatting and parsing 17-digit
-- decimals cost more server time than the rest of the script, and the doubles round-trip exactly. A missing bucket is
-- a full one. Refill is continuous and exact, as in memory. The TTL ends at most a second after the bucket is full
-- again: a write re-applies it (PX) only when that moment comes within 10 ms of the TTL's end (the first write, a
-- release, a grant more than the second of slack later), otherwise it keeps it (KEEPTTL, Redis 6+); see
-- token-bucket-store.lua. The 10 ms cover Redis's whole milliseconds and its clock for the TTL, which is the one of
-- the script's start, a little before TIME's.
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]
local cap = tonumber(@capacity)
local rate = tonumber(@rate)
local tokens = cap
local upd = now
local expires = 0
local last = nil -- the stored last refill, for the stats
local stored = redis.call('GET', @bucket)
if stored then
  tokens, upd, expires = struct.unpack('<ddd', stored)
  last = upd
  if now > upd then
    tokens = tokens + (now - upd) * rate / 1000000
    upd = now
  end
  if tokens > cap then tokens = cap end
end
