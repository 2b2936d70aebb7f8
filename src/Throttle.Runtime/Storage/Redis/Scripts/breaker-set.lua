-- By hand: @target '2' isolates the circuit (held open until closed), '0' closes it and resets the count. Announced.
if not st then
  return conflict()
end
if @target == '2' then
  return reset_to(2, 'i')
end
return reset_to(0, 'c')
