-- Requests of different sizes (ARGV from @tokens on, in arrival order), each decided as a one-by-one call would be;
-- the i-th is the member '<score>:@member.i'.
local entries = { 'inf', '' }
local answers = {}
local added = 0
for i = 4, #ARGV do
  local req = tonumber(ARGV[i])
  if sum + req <= cap + 1e-9 then
    sum = sum + req
    added = added + req
    local member = stamp .. ':' .. @member .. '.' .. (i - 3)
    if req ~= 1 then member = member .. '|' .. string.format('%.17g', req) end
    entries[#entries + 1] = stamp
    entries[#entries + 1] = member
    answers[#answers + 1] = -1
  else
    answers[#answers + 1] = retry(req, sum, cap)
  end
end
if #entries > 2 then
  record(added, nil, entries)
elseif changed then
  store()
end
answers[#answers + 1] = math.max(0, cap - sum)
return struct.pack('<' .. string.rep('d', #answers), unpack(answers))
