if not stored then return { fmt(cap), '' } end
return { fmt(tokens), fmt(last) }
