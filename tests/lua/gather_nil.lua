-- nil results keep their place in gather's list (n counts them); of several results only the first is kept
local asyncio = require "asyncio"

local r = asyncio.gather(
  function() return nil end,
  function() return 2, 3 end,
  function() asyncio.sleep(0) end)
print(r.n, r[1], r[2], r[3])
