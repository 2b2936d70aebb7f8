-- One request of @tokens, or (with @count) that many of @tokens each, decided in order as one-by-one calls would be.
local req = tonumber(@tokens)
local n = tonumber(@count)
local granted = 0
while granted < (n or 1) and take(req) do granted = granted + 1 end
if granted > 0 then store() end
if n == nil then
  if granted == 1 then return { -1, fmt(tokens) } end
  return { retry(req), fmt(tokens) }
end
if granted == n then return { granted, -1, fmt(tokens) } end
return { granted, retry(req), fmt(tokens) }
