-- Writes the bucket (token-bucket-acquire.lua has the same lines inline, to define no function on its hot path).
local function store()
  if now + (cap - tokens) / rate * 1000000 + 10000 <= expires then
    redis.call('SET', @bucket, struct.pack('<ddd', tokens, upd, expires), 'KEEPTTL')
  else
    local ms = math.min(math.ceil((cap - tokens) / rate * 1000), 1e15) + 1000
    expires = now + ms * 1000
    redis.call('SET', @bucket, struct.pack('<ddd', tokens, upd, expires), 'PX', string.format('%d', ms))
  end
end
