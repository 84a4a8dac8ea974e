-- timeout(nil) means no deadline: when() is nil and nothing expires
local asyncio = require "asyncio"

local function work()
  local t <close> = asyncio.timeout(nil)
  print(t:when(), t:expired())
  asyncio.sleep(0.01)
  return "no deadline"
end
print(work())
