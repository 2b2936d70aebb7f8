-- A missing bucket is full: nothing to give back.
if not stored then return 0 end
tokens = math.min(cap, tokens + tonumber(@tokens))
store()
return 0
