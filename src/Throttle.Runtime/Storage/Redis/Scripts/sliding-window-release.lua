-- Forgets the newest requests in the window worth @tokens (a shrunk request keeps its score and id).
if not state then return 0 end
local remaining = tonumber(@tokens)
local created = false
local after = '(' .. string.format('%d', boundary)
while remaining > 1e-9 do
  local top = redis.call('ZREVRANGEBYSCORE', @log, '(inf', after, 'LIMIT', 0, 1)
  if #top == 0 then break end
  local member = top[1]
  local colon = string.find(member, ':', 1, true)
  local s = tonumber(string.sub(member, 1, colon - 1))
  local id, w = member, 1
  local p = string.find(member, '|', colon, true)
  if p then id, w = string.sub(member, 1, p - 1), tonumber(string.sub(member, p + 1)) end
  local take = math.min(w, remaining)
  redis.call('ZREM', @log, member)
  if w > remaining + 1e-9 then
    local shrunk = id .. '|' .. string.format('%.17g', w - remaining)
    if redis.call('ZADD', @log, 'NX', string.sub(member, 1, colon - 1), shrunk, 'inf', '') == 2 then created = true end
  end
  sum = sum - take
  remaining = remaining - take
  -- A request among the groups is in the one of its score.
  for at = #groups - 15, from, -16 do
    local gs, gw = struct.unpack('<dd', groups, at)
    if gs == s then
      groups, from, rewrite = string.sub(groups, from, at - 1) .. struct.pack('<dd', gs, gw - take) .. string.sub(groups, at + 16), 1, true
    end
    if gs <= s then break end
  end
end
if redis.call('ZCOUNT', @log, after, '(inf') == 0 then
  redis.call('DEL', @log, @state)
  return 0
end
if sum < 0 then sum = 0 end
-- Re-adding a shrunk request may have created the log again: give it the state's TTL.
if created then redis.call('PEXPIRE', @log, string.format('%d', math.min(math.ceil((expires - now) / 1000), 1e15) + 1000)) end
store()
return 0
