-- A handled failure. Closed: counts it, opening the circuit at the threshold (announced); the first failure of a streak
-- is announced too, so the next success anywhere resets the count. The trial's holder (@trial = '1'): opens for another
-- break. Any other call while open or isolated was admitted before the circuit opened: it changes nothing.
if not st then
  return conflict()
end
if st.s == 0 then
  st.f = st.f + 1
  if st.f >= tonumber(@threshold) then
    return open()
  end
  write('f', st.f)
  if st.f == 1 then
    redis.call('SPUBLISH', @channel, 'f|' .. text(st.g) .. '|1')
  end
  return { 'closed', text(st.g), text(st.f) }
end
if @trial == '1' and holds_trial() then
  return open()
end
return describe()
