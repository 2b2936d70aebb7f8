-- Asks for the half-open trial: granted (for a lease of one break) when the break is over and no other process holds
-- an unexpired trial lease; otherwise answers the state.
if not st then
  return conflict()
end
if st.s == 1 and now >= st.u and (not st.th or st.te <= now or st.th == @id) then
  write('th', @id, 'te', text(now + tonumber(@breakMs)))
  return { 'trial', text(st.g), @breakMs }
end
return describe()
