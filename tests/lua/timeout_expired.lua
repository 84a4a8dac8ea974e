-- expired() is false before the deadline and true once the block raised TimeoutError
local asyncio = require "asyncio"

local cm
local ok, e = pcall(function()
  local t <close> = asyncio.timeout(0.01)
  cm = t
  print("before", t:expired())
  asyncio.sleep(1)
end)
print("after", cm:expired(), e.name)
