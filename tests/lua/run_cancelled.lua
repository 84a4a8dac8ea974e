-- both
-- when the main function of asyncio.run ends cancelled, asyncio.run raises CancelledError (with the message)
local asyncio = require "asyncio"

local ok, e = pcall(asyncio.run, function()
  asyncio.current_task():cancel("stop main")
  asyncio.sleep(0)
  print("not reached")
end)
print(ok, e.name, e.message)
