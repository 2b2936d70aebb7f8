-- @log is a sorted set of admitted requests (score = server time in µs, member = a unique id followed by '|weight'
-- when the request took other than 1 token); @sum holds the sum of the weights in the set.
local function weight(m)
  local p = string.find(m, '|', 1, true)
  if p then return tonumber(string.sub(m, p + 1)) end
  return 1
end

