-- both
-- port of the create_task example: task = create_task(coro()), then await it (sleep 0.01 s instead of 1)
local asyncio = require "asyncio"

local coro = asyncio.async(function()
  asyncio.sleep(0.01)
  print("hello")
end)

asyncio.run(function()
  local task = asyncio.create_task(coro())
  task:await()
end)
