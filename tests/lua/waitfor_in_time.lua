-- both
-- wait_for returns the result when the awaitable finishes in time; a nil timeout means no limit
local asyncio = require "asyncio"

asyncio.run(function()
  local quick = asyncio.async(function(x) asyncio.sleep(0.01) return x end)
  print(asyncio.wait_for(quick("a"), 1))
  print(asyncio.wait_for(quick("b"), nil))
  print(asyncio.wait_for(function() return "plain function" end, 0.5))
end)
