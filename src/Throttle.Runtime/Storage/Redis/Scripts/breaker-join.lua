-- First use by a process (and its probes while Redis was unreachable): stores the settings if none, checks them,
-- refreshes the TTL and answers the state.
if not st then
  return conflict()
end
redis.call('PEXPIRE', @state, @ttl)
return describe()
