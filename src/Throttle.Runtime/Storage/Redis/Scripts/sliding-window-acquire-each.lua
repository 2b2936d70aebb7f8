-- Requests of different sizes (ARGV from @tokens on, in arrival order), each decided as a one-by-one call would be;
-- the admitted ones are one record.
local answers = {}
local added = 0
for i = 3, #ARGV do
  local req = tonumber(ARGV[i])
  if sum + req <= cap + 1e-9 then
    sum = sum + req
    added = added + req
    answers[#answers + 1] = -1
  else
    answers[#answers + 1] = retry(req, sum, cap)
  end
end
if added > 0 then
  record(added)
elseif changed then
  store()
end
answers[#answers + 1] = math.max(0, cap - sum)
return struct.pack('<' .. string.rep('d', #answers), unpack(answers))
