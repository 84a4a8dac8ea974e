-- work finishing before the deadline leaves the block normally; the deadline does not fire later
local asyncio = require "asyncio"

local cm
local function work()
  local t <close> = asyncio.timeout(0.03)
  cm = t
  asyncio.sleep(0.01)
  return "done"
end
print(work())
print(cm:expired())
asyncio.sleep(0.05)
print("still fine", cm:expired())
