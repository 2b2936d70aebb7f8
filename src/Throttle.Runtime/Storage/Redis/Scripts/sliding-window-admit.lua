-- What the acquire scripts share (after sliding-window-common.lua): the score of this call's requests, retry() and
-- record().
local cap = tonumber(@capacity)
-- Requests admitted by this call score now, or newest if TIME stepped back; 'stamp' is the score as text (%d: scores
-- are whole µs; Redis would format a Lua number with %.17g, which costs more).
local score, stamp = now, t[1] .. string.sub('00000', #t[2]) .. t[2]
if newest > score then score, stamp = newest, string.format('%d', newest) end

-- Seconds (a number) until a request of req tokens fits, the window holding total: until enough of the oldest
-- requests leave; the groups first, then the log after them, 64 requests a read. This call's requests not recorded
-- yet would leave last, so they change nothing.
local function retry(req, total, cap)
  local freed = 0
  local last = boundary
  for at = from, #groups - 15, 16 do
    local s, w = struct.unpack('<dd', groups, at)
    freed = freed + w
    if total - freed + req <= cap + 1e-9 then return (s + win - now) / 1000000 end
    last = s
  end
  local offset = 0
  while complete == 0 do
    local batch = redis.call('ZRANGEBYSCORE', @log, '(' .. string.format('%d', last), '+inf', 'LIMIT', offset, 64)
    for i = 1, #batch do
      local m = batch[i]
      if m == '' then return win / 1000000 end
      local colon = string.find(m, ':', 1, true)
      local p = string.find(m, '|', colon, true)
      if p then freed = freed + tonumber(string.sub(m, p + 1)) else freed = freed + 1 end
      if total - freed + req <= cap + 1e-9 then return (tonumber(string.sub(m, 1, colon - 1)) + win - now) / 1000000 end
    end
    if #batch < 64 then break end
    offset = offset + 64
  end
  return win / 1000000
end

-- Records this call's admitted requests, added tokens in all: the one member, or entries { 'inf', '', stamp, member,
-- ... } (the sentinel first). They are one group; then @state and, when due or when the log was created again, both
-- keys' TTLs.
local function record(added, member, entries)
  if not state then redis.call('DEL', @log) end
  local created = false
  if member then
    created = redis.call('ZADD', @log, 'NX', 'inf', '', stamp, member) == 2
  else
    for i = 1, #entries, 400 do
      local last = math.min(i + 399, #entries)
      local new = redis.call('ZADD', @log, 'NX', unpack(entries, i, last))
      if i == 1 and new * 2 == last then created = true end
    end
  end
  if created then
    -- A new log holds this call's requests alone.
    sum, boundary, complete, stale, groups, from, expires, rewrite = added, -1, 1, 0, '', 1, 0, true
  end
  -- The weight of the group this call appends to @state's, if the groups are every request.
  local group = nil
  if complete == 1 then
    local merged = false
    if from < #groups then
      local s, w = struct.unpack('<dd', groups, #groups - 15)
      if s == score then
        -- Requests of the newest group's score (TIME did not move on): still one group.
        groups, from, rewrite = string.sub(groups, from, #groups - 16), 1, true
        group = w + added
        merged = true
      end
    end
    if not merged then
      if #groups - from + 1 < 256 then group = added else complete = 0 end
    end
  end
  newest = score
  if created or expires < score + win then
    expires = score + win * 1.125
    local ms = string.format('%d', math.min(math.ceil((expires - now) / 1000), 1e15) + 1000)
    redis.call('PEXPIRE', @log, ms)
    store(group and score, group, ms)
  else
    store(group and score, group)
  end
end
