-- Forgets the newest records in the window worth @tokens (a shrunk record keeps its score).
if not state then return 0 end
local remaining = tonumber(@tokens)
while remaining > 1e-9 and len > dead do
  local rec = redis.call('LINDEX', @log, '-1')
  if not rec then break end
  local s, w = struct.unpack('<dd', rec)
  local take = math.min(w, remaining)
  -- A copied record is the last of the copies (they are then every record in the window).
  local copied = len - 1 < dead + (#copies - from + 1) / 16
  if w > remaining + 1e-9 then
    rec = struct.pack('<dd', s, w - remaining)
    redis.call('LSET', @log, '-1', rec)
    if copied then copies, from, rewrite = string.sub(copies, from, #copies - 16) .. rec, 1, true end
  else
    redis.call('RPOP', @log)
    len = len - 1
    if copied then copies, from, rewrite = string.sub(copies, from, #copies - 16), 1, true end
  end
  sum = sum - take
  remaining = remaining - take
end
if len <= dead then
  redis.call('DEL', @log, @state)
  return 0
end
if sum < 0 then sum = 0 end
store()
return 0
