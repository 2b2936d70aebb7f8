-- Prelude of the sliding window scripts, standing alone (no limiter-common.lua), as the token bucket's. Time is the
-- server's TIME in µs. Binary rather than text, as the token bucket: decimals cost more server time than the commands.
-- @log is a list of the admitted calls in arrival order, one record each, '<dd' { score (server µs), weight (the tokens
-- the call took, all its requests together) }. Scores never go back (a call scores at least the newest: TIME may step
-- back), so the records leave the window from the front, in list order.
-- @state is one string of little-endian doubles: a header '<dddddd' { sum, expires, newest, len, dead, head } and, from
-- byte head on, a copy of the log's first records still in the window (16 at most). sum: the weight in the window.
-- expires: when both keys' TTLs end (server µs), a window after the newest record at least and an eighth of a window
-- more at most (plus a second of slack); re-applied (PEXPIRE, PX) only when the newest record would outlive it.
-- newest: the newest record's score. len: the log's length. dead: how many records at its front have left the window
-- (they are trimmed 16 at a time). So a call finds what left the window in @state alone, and reads the log only when
-- the copies run out: the next 16 records (more at a time when more left at once). A call that changes only the header
-- writes only the header (SETRANGE). A missing @state is an empty window (it outlives the newest record).
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]
local win = tonumber(@window)
local cutoff = now - win
local sum, expires, newest, len, dead = 0, 0, 0, 0, 0
-- The copied records: those of 'copies' from byte 'from' on. changed: the header changed; rewrite: the copies changed
-- other than by losing their first ones (or there is no @state yet).
local copies, from = '', 1
local changed, rewrite = false, true
local state = redis.call('GET', @state)
if state then
  sum, expires, newest, len, dead, from = struct.unpack('<dddddd', state)
  copies, rewrite = state, false
  local chunk = 16
  while true do
    -- The first records that left the window.
    while from < #copies do
      local score, weight = struct.unpack('<dd', copies, from)
      if score > cutoff then break end
      sum = sum - weight
      dead = dead + 1
      from = from + 16
      changed = true
    end
    if from < #copies or dead >= len then break end
    -- The copies ran out and later records are only in the log: read on from the first one not left (16, then four
    -- times as many each read while all of them left too); the first 16 of them stay copied.
    local read = table.concat(redis.call('LRANGE', @log, string.format('%d', dead), string.format('%d', dead + chunk - 1)))
    if #read == 0 then
      -- The log lost records (deleted or evicted while @state lived): what it no longer holds left nothing to count.
      len = dead
      break
    end
    copies, from = read, 1
    changed, rewrite = true, true
    chunk = math.min(chunk * 4, 4096)
  end
  if rewrite and #copies - from + 1 > 256 then copies, from = string.sub(copies, from, from + 255), 1 end
  -- An empty window sums to exactly 0: no rounding drift accumulates.
  if dead >= len then sum = 0 end
end

-- Writes @state: the header alone (SETRANGE keeps the TTL) unless the copies changed otherwise or a record is to be
-- appended to them, or ms is given (SET with PX ms, else KEEPTTL). First trims the records that left the window from the
-- log, once they are 16.
local function store(record, ms)
  if dead >= 16 then
    redis.call('LTRIM', @log, string.format('%d', dead), '-1')
    len, dead = len - dead, 0
  end
  if not (rewrite or record or ms) then
    redis.call('SETRANGE', @state, '0', struct.pack('<dddddd', sum, expires, newest, len, dead, from))
    return
  end
  local value = struct.pack('<ddddddc0', sum, expires, newest, len, dead, 49, string.sub(copies, from))
  if record then value = value .. record end
  if ms then redis.call('SET', @state, value, 'PX', ms) else redis.call('SET', @state, value, 'KEEPTTL') end
end
