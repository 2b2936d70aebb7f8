-- One request of @tokens, or (with @count) that many of @tokens each, decided in order as one-by-one calls would be.
-- Batched requests are the members '<score>:@member.1' ... '<score>:@member.n'.
local req = 1
if @tokens ~= '1' then req = tonumber(@tokens) end
local n = nil
if @count then n = tonumber(@count) end
local want = n or 1
local granted = 0
local added = 0
while granted < want and sum + req <= cap + 1e-9 do
  sum = sum + req
  added = added + req
  granted = granted + 1
end
local after = -1
if granted < want then after = retry(req, sum, cap) end
if granted > 0 then
  local weight = ''
  if req ~= 1 then weight = '|' .. string.format('%.17g', req) end
  if n == nil then
    record(added, stamp .. ':' .. @member .. weight)
  else
    local entries = { 'inf', '' }
    for i = 1, granted do
      entries[2 * i + 1] = stamp
      entries[2 * i + 2] = stamp .. ':' .. @member .. '.' .. i .. weight
    end
    record(added, nil, entries)
  end
elseif changed then
  store()
end
-- Binary doubles, as the token bucket answers: formatting decimals is the dearest part of a reply.
if n == nil then return struct.pack('<dd', after, math.max(0, cap - sum)) end
return struct.pack('<ddd', granted, after, math.max(0, cap - sum))
