-- timeout_at(when) expires at an absolute loop time; a deadline already past expires at the first suspension
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
local ok, e = pcall(function()
  local t <close> = asyncio.timeout_at(loop:time() + 0.01)
  asyncio.sleep(1)
end)
print(ok, e.name)
ok, e = pcall(function()
  local t <close> = asyncio.timeout_at(loop:time() - 1)
  print("block starts")
  asyncio.sleep(0.5)
  print("not reached")
end)
print(ok, e.name)
