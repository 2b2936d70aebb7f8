-- Prelude of the sliding window scripts, standing alone (no limiter-common.lua), as the token bucket's. Time is the
-- server's TIME in µs.
-- @log is a sorted set of the admitted requests, score = server µs and member '<score>:<id>' ('|<weight>' appended
-- unless the request took 1 token; the score again, so a read needs no WITHSCORES, whose 17-digit formatting is the
-- dearest part of a read), and one sentinel, the member '' at +inf: written with NX beside every request, it tells
-- whether the log had to be created again (deleted or evicted while @state lived).
-- @state is one binary string of little-endian doubles: sum, expires, newest, boundary, complete, stale, head (struct
-- '<ddddddd'), then up to 16 groups '<dd' { score, weight } from byte head on: the oldest requests in the window, one
-- group per score, in score order (those before head have left it; a call that changes only the header writes only
-- the header, with SETRANGE). sum: the weight in the window. expires: when both keys' TTLs end (server µs), a window after the
-- newest request at least and at most an eighth of a window more (plus a second of slack): re-applied, with PEXPIRE
-- and PX, only when the newest request would outlive it, kept otherwise (KEEPTTL, SETRANGE).
-- newest: the newest request's score; no request scores before it (TIME may step back), so the log keeps arrival
-- order. boundary: every request scoring up to it has left the window and was subtracted (-1: none yet); the last
-- 'stale' groups of them may still be in the log, removed 16 at a time. complete: 1 when the groups are every request
-- after boundary, 0 when later ones are only in the log.
-- So a call finds the requests that left the window in @state alone; it reads the log only once the groups run out
-- (once per 16 scores that left: the next 16 requests, or every request that left at once when more did). Binary
-- rather than text, as the token bucket: decimals cost more server time than the commands. A missing @state is an
-- empty window (it outlives the newest request by a window).
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]
local win = tonumber(@window)
local cutoff = now - win
local sum, expires, newest, boundary, complete, stale = 0, 0, 0, -1, 1, 0
-- The groups still in the window: those of 'groups' from byte 'from' on. changed: the header changed; rewrite: the
-- groups did other than lose their oldest (or there is no @state yet).
local groups, from = '', 1
local changed, rewrite = false, true
local state = redis.call('GET', @state)
if state then
  sum, expires, newest, boundary, complete, stale, from = struct.unpack('<ddddddd', state)
  groups, rewrite = state, false
  local reads = 0
  while true do
    -- The oldest groups that left the window.
    while from < #groups do
      local score, weight = struct.unpack('<dd', groups, from)
      if score > cutoff then break end
      sum = sum - weight
      boundary = score
      stale = stale + 1
      from = from + 16
      changed = true
    end
    if from < #groups or complete == 1 then break end
    if reads > 0 then
      -- The 16 requests read left the window too: subtract every other one that did, at once.
      local old = redis.call('ZRANGEBYSCORE', @log, '(' .. string.format('%d', boundary), cutoff)
      for i = 1, #old do
        local p = string.find(old[i], '|', 1, true)
        if p then sum = sum - tonumber(string.sub(old[i], p + 1)) else sum = sum - 1 end
      end
      boundary = cutoff
      stale = 16
    end
    -- The groups ran out and later requests are only in the log: read the next 16. A group the read may have cut is
    -- left for the next read, unless it is the only one: then all of it is read.
    reads = reads + 1
    local read = redis.call('ZRANGEBYSCORE', @log, '(' .. string.format('%d', boundary), '+inf', 'LIMIT', 0, 16)
    complete = 1
    if #read == 16 and read[16] ~= '' then complete = 0 end
    local packed = {}
    local last, total = nil, 0
    for i = 1, #read do
      local m = read[i]
      if m == '' then break end
      local colon = string.find(m, ':', 1, true)
      local score = tonumber(string.sub(m, 1, colon - 1))
      if score ~= last then
        if last then
          packed[#packed + 1] = last
          packed[#packed + 1] = total
        end
        last, total = score, 0
      end
      local p = string.find(m, '|', colon, true)
      if p then total = total + tonumber(string.sub(m, p + 1)) else total = total + 1 end
    end
    if last and complete == 0 and #packed == 0 then
      total = 0
      local all = redis.call('ZRANGEBYSCORE', @log, last, last)
      for i = 1, #all do
        local p = string.find(all[i], '|', 1, true)
        if p then total = total + tonumber(string.sub(all[i], p + 1)) else total = total + 1 end
      end
    end
    if last and (complete == 1 or #packed == 0) then
      packed[#packed + 1] = last
      packed[#packed + 1] = total
    end
    groups, from = '', 1
    if #packed > 0 then groups = struct.pack('<' .. string.rep('d', #packed), unpack(packed)) end
    changed, rewrite = true, true
  end
  -- An empty window sums to exactly 0: no rounding drift accumulates.
  if from >= #groups and complete == 1 then sum = 0 end
end

-- Writes @state when it changed: the header alone (SETRANGE keeps the TTL), or all of it (the groups from 'from' on
-- and, with a score, one more group { score, weight }) with SET, KEEPTTL or PX ms. First removes the requests that
-- left the window from the log, once they are 16 groups.
local function store(score, weight, ms)
  if stale >= 16 then
    redis.call('ZREMRANGEBYSCORE', @log, '-inf', boundary)
    stale = 0
  end
  if not (rewrite or score or ms) then
    redis.call('SETRANGE', @state, '0', struct.pack('<ddddddd', sum, expires, newest, boundary, complete, stale, from))
    return
  end
  local value
  if score then
    value = struct.pack('<dddddddc0dd', sum, expires, newest, boundary, complete, stale, 57, string.sub(groups, from), score, weight)
  else
    value = struct.pack('<dddddddc0', sum, expires, newest, boundary, complete, stale, 57, string.sub(groups, from))
  end
  if ms then redis.call('SET', @state, value, 'PX', ms) else redis.call('SET', @state, value, 'KEEPTTL') end
end
