if not stored then return { string.format('%.17g', cap), '' } end
return { string.format('%.17g', tokens), string.format('%.17g', last) }
