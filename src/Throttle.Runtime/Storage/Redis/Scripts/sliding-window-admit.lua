-- What the acquire scripts share (after sliding-window-common.lua): the score of this call's record, retry() and
-- record().
local cap = tonumber(@capacity)
local score = now
if newest > score then score = newest end

-- Seconds (a number) until a request of req tokens fits, the window holding total: until enough of the oldest records
-- leave; the copies first, then the log after them, 64 records a read. This call's record, not written yet, would
-- leave last, so it changes nothing.
local function retry(req, total, cap)
  local freed = 0
  for at = from, #copies - 15, 16 do
    local s, w = struct.unpack('<dd', copies, at)
    freed = freed + w
    if total - freed + req <= cap + 1e-9 then return (s + win - now) / 1000000 end
  end
  local next = dead + (#copies - from + 1) / 16
  while next < len do
    local batch = table.concat(redis.call('LRANGE', @log, string.format('%d', next), string.format('%d', next + 63)))
    if #batch == 0 then break end
    for at = 1, #batch - 15, 16 do
      local s, w = struct.unpack('<dd', batch, at)
      freed = freed + w
      if total - freed + req <= cap + 1e-9 then return (s + win - now) / 1000000 end
    end
    next = next + 64
  end
  return win / 1000000
end

-- Appends this call's record (added tokens, all its admitted requests: they share the score) to the log, and to the
-- copies when they are every record in the window; then writes @state and, when due or when the log was created
-- again, both keys' TTLs.
local function record(added)
  if not state then redis.call('DEL', @log) end
  local rec = struct.pack('<dd', score, added)
  local copied = (#copies - from + 1) / 16
  local complete = dead + copied == len
  local n = redis.call('RPUSH', @log, rec)
  local created = n == 1
  if n ~= len + 1 then
    -- Not the log @state describes (deleted or evicted while @state lived): start both again from this record.
    if n ~= 1 then
      redis.call('DEL', @log)
      redis.call('RPUSH', @log, rec)
    end
    sum, len, dead, copies, from, expires, rewrite, created = added, 1, 0, '', 1, 0, true, true
    complete, copied = true, 0
  else
    len = n
  end
  if not complete or copied >= 16 then rec = nil end
  newest = score
  if created or expires < score + win then
    expires = score + win * 1.125
    local ms = string.format('%d', math.min(math.ceil((expires - now) / 1000), 1e15) + 1000)
    redis.call('PEXPIRE', @log, ms)
    store(rec, ms)
  else
    store(rec)
  end
end
