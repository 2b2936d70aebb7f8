-- Requests of different sizes (ARGV from @tokens on, in arrival order), each decided as a one-by-one call would be.
-- Answers binary doubles: -1 or the retry delay per request, then the tokens after.
local answers = {}
local granted = false
for i = 3, #ARGV do
  local req = tonumber(ARGV[i])
  if tokens + 1e-9 >= req then
    tokens = tokens - req
    if tokens < 0 then tokens = 0 end
    answers[#answers + 1] = -1
    granted = true
  else
    answers[#answers + 1] = (req - tokens - 1e-9) / rate
  end
end
if granted then store() end
answers[#answers + 1] = tokens
return struct.pack('<' .. string.rep('d', #answers), unpack(answers))
