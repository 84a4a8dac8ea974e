-- nested timeouts: the inner one expires and raises TimeoutError inside; the outer block goes on and ends normally
local asyncio = require "asyncio"

local outer_cm, inner_cm
local ok, e = pcall(function()
  local outer <close> = asyncio.timeout(0.5)
  outer_cm = outer
  local ok2, e2 = pcall(function()
    local inner <close> = asyncio.timeout(0.01)
    inner_cm = inner
    asyncio.sleep(1)
  end)
  print("inner block raised", e2.name)
  asyncio.sleep(0.01)
  return "outer done"
end)
print(ok, e, outer_cm:expired(), inner_cm:expired())
