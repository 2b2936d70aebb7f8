-- One request of @tokens, or (with @count) that many of @tokens each, decided in order as one-by-one calls would be.
-- Batched requests are the members '@member.1' ... '@member.n'. Requests decided in this call and still waiting to be
-- added score now, so they would leave the window last: retry() without them answers the same.
local cap = tonumber(@capacity)
local req = tonumber(@tokens)
local n = tonumber(@count)
local changed = prune()
local entries = {}
local granted = 0
while granted < (n or 1) do
  local member = @member
  if n then member = member .. '.' .. (granted + 1) end
  if not admit(req, cap, member, entries) then break end
  granted = granted + 1
end
local after = nil
if granted < (n or 1) then after = retry(req, sum, cap) end
if granted > 0 then
  record(entries)
elseif changed then
  redis.call('SET', @sum, encode(), 'KEEPTTL')
end
-- Binary doubles, as the token bucket answers: formatting decimals is the dearest part of a reply.
if n == nil then return struct.pack('<dd', after or -1, math.max(0, cap - sum)) end
return struct.pack('<ddd', granted, after or -1, math.max(0, cap - sum))
