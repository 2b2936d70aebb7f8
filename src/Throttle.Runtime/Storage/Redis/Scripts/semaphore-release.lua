local released = release(@id)
if woken == '' then
  return released
end
return {released, woken}
