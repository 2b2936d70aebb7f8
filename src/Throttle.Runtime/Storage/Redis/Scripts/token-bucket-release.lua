-- A missing bucket is full: nothing to give back. Giving back moves the moment it is full earlier: the TTL is set anew.
if not stored then return 0 end
tokens = math.min(cap, tokens + tonumber(@tokens))
expires = 0
store()
return 0
