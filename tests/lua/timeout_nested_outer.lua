-- nested timeouts: when the outer deadline passes inside the inner block, the inner block passes CancelledError on and the outer one raises TimeoutError
local asyncio = require "asyncio"

local outer_cm, inner_cm
local ok, e = pcall(function()
  local outer <close> = asyncio.timeout(0.01)
  outer_cm = outer
  local ok2, e2 = pcall(function()
    local inner <close> = asyncio.timeout(0.5)
    inner_cm = inner
    asyncio.sleep(1)
  end)
  print("inner block raised", e2.name)
  error(e2)
end)
print("outer block raised", e.name)
print(outer_cm:expired(), inner_cm:expired())
