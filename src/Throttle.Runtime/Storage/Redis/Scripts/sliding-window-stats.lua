-- Reads only: records that left the window stay in @log and @state until an acquire or a release writes.
local cap = tonumber(@capacity)
if not state then return { string.format('%.17g', cap), '' } end
return { string.format('%.17g', math.max(0, math.min(cap, cap - sum))), string.format('%.17g', newest) }
