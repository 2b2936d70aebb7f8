-- Requests of different sizes (ARGV from @tokens on, in arrival order), each decided as a one-by-one call would be;
-- the i-th is the member '@member.i'. As in sliding-window-acquire, retry() runs before the admitted are added.
local cap = tonumber(@capacity)
local changed = prune()
local entries = {}
local answers = {}
for i = 4, #ARGV do
  local req = tonumber(ARGV[i])
  if admit(req, cap, @member .. '.' .. (i - 3), entries) then
    answers[#answers + 1] = -1
  else
    answers[#answers + 1] = retry(req, sum, cap)
  end
end
if #entries > 0 then
  record(entries)
elseif changed then
  redis.call('SET', @sum, encode(), 'KEEPTTL')
end
answers[#answers + 1] = math.max(0, cap - sum)
return struct.pack('<' .. string.rep('d', #answers), unpack(answers))
