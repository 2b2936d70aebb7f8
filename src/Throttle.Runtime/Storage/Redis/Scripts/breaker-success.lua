-- A success that matters: the trial's holder (@trial = '1') closes the circuit; while closed, a success resets a counted
-- streak (announced). Anything else changes nothing.
if not st then
  return conflict()
end
if @trial == '1' and holds_trial() then
  return reset_to(0, 'c')
end
if st.s == 0 and st.f > 0 then
  write('f', 0)
  redis.call('SPUBLISH', @channel, 'r|' .. text(st.g))
  return { 'closed', text(st.g), '0' }
end
return describe()
