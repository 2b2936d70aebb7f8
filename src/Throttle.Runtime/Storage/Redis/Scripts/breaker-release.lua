-- The trial ended with an exception the method does not handle: frees the trial for the next caller, changing nothing else.
if not st then
  return conflict()
end
if holds_trial() then
  redis.call('HDEL', @state, 'th', 'te')
  redis.call('PEXPIRE', @state, @ttl)
end
return describe()
