-- One request of @tokens, or (with @count) that many of @tokens each, decided in order as one-by-one calls would be.
-- The admitted ones are one record.
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
  record(added)
elseif changed then
  store()
end
-- Binary doubles, as the token bucket answers: formatting decimals is the dearest part of a reply.
local available = cap - sum
if available < 0 then available = 0 end
if n == nil then return struct.pack('<dd', after, available) end
return struct.pack('<ddd', granted, after, available)
