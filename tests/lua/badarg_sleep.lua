-- sleep checks its delay (luaL_argerror style); negative delays just yield, NaN is refused (as Python 3.13)
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok, (tostring(e):gsub("^[^:]+:%d+: ", "")))
end
try(function() asyncio.sleep("x") end)
try(function() asyncio.sleep() end)
try(function() asyncio.sleep(nil) end)
try(function() asyncio.sleep({}) end)
try(function() return asyncio.sleep(-1, "negative ok") end)
try(function() return asyncio.sleep(0 / 0, "nan ok") end)
