-- with return_exceptions errors take their place in the list, unchanged (tables by identity)
local asyncio = require "asyncio"

local err = {msg = "table error"}
local r = asyncio.gather(
  function() asyncio.sleep(0.01) return "ok" end,
  function() error(err) end,
  function() asyncio.sleep(0) error("string error", 0) end,
  {return_exceptions = true})
print(r.n, r[1], rawequal(r[2], err), r[3])
