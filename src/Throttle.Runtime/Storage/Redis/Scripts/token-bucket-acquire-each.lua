-- Requests of different sizes (ARGV from @tokens on, in arrival order), each decided as a one-by-one call would be.
local answers = {}
local granted = false
for i = 3, #ARGV do
  local req = tonumber(ARGV[i])
  if take(req) then
    answers[#answers + 1] = -1
    granted = true
  else
    answers[#answers + 1] = retry(req)
  end
end
if granted then store() end
answers[#answers + 1] = fmt(tokens)
return answers
