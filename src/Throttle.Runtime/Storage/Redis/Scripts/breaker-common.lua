-- Shared circuit breaker conventions. The state is one hash (@state): ft, bd (the failure threshold and the break in
-- ms of the first user: the settings every process must share), by (who that was), s (0 closed, 1 open, 2 isolated),
-- f (consecutive handled failures while closed), u (end of the break, server ms), th and te (the half-open trial's
-- holder and the end of its lease, ms), g (generation: up by at least 1 on every open, close and isolate, so a process
-- ignores news older than what it knows; never below the server's clock in ms, so it still increases after the key
-- expired or was lost with a restart). Open with now >= u is half-open. Time is the server's, in ms. Every script checks the
-- settings first, recreating the state (closed) when the key has expired, and refreshes the TTL of every write.
-- Answers: {'closed', g, f}, {'open', g, ms left of the break}, {'busy', g, ms left of another process's trial},
-- {'trial', g, lease ms} (this caller holds the trial), {'isolated', g}, {'conflict', ft, bd, by}.
-- Announcements (SPUBLISH on @channel): 'o|g|ms left', 'c|g', 'i|g', 'f|g|failures' (a streak started), 'r|g' (reset).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function text(n)
  return string.format('%.0f', n)
end

local function next_generation(g)
  return math.max(g + 1, now)
end

local v = redis.call('HMGET', @state, 'ft', 'bd', 'by', 's', 'f', 'u', 'th', 'te', 'g')
local st
if not v[1] then
  st = { s = 0, f = 0, u = 0, th = false, te = 0, g = now }
  redis.call('HSET', @state, 'ft', @threshold, 'bd', @breakMs, 'by', @by, 's', 0, 'f', 0, 'u', 0, 'g', text(now))
  redis.call('PEXPIRE', @state, @ttl)
elseif v[1] ~= @threshold or v[2] ~= @breakMs then
  st = nil
else
  st = { s = tonumber(v[4]), f = tonumber(v[5]), u = tonumber(v[6]), th = v[7], te = tonumber(v[8] or '0'), g = tonumber(v[9]) }
end

local function conflict()
  return { 'conflict', v[1], v[2], v[3] or '' }
end

-- The state as a reply for a caller that does not hold the trial.
local function describe()
  if st.s == 2 then
    return { 'isolated', text(st.g) }
  elseif st.s == 0 then
    return { 'closed', text(st.g), text(st.f) }
  elseif now < st.u then
    return { 'open', text(st.g), text(st.u - now) }
  elseif st.th and st.te > now then
    return { 'busy', text(st.g), text(st.te - now) }
  end
  return { 'open', text(st.g), '0' }
end

local function write(...)
  redis.call('HSET', @state, ...)
  redis.call('PEXPIRE', @state, @ttl)
end

local function open()
  st.g = next_generation(st.g)
  write('s', 1, 'f', 0, 'u', text(now + tonumber(@breakMs)), 'g', text(st.g))
  redis.call('HDEL', @state, 'th', 'te')
  redis.call('SPUBLISH', @channel, 'o|' .. text(st.g) .. '|' .. @breakMs)
  return { 'open', text(st.g), @breakMs }
end

local function reset_to(state, message)
  st.g = next_generation(st.g)
  write('s', state, 'f', 0, 'g', text(st.g))
  redis.call('HDEL', @state, 'th', 'te')
  redis.call('SPUBLISH', @channel, message .. '|' .. text(st.g))
  if state == 2 then
    return { 'isolated', text(st.g) }
  end
  return { 'closed', text(st.g), '0' }
end

local function holds_trial()
  return st.s == 1 and st.th == @id
end
