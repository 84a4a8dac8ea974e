-- a task can cancel itself: it goes on until its next suspension point, which raises CancelledError
local asyncio = require "asyncio"

local t = asyncio.create_task(function()
  print("cancel self", asyncio.current_task():cancel("self"))
  print("still running")
  local ok, e = pcall(asyncio.sleep, 0)
  print("sleep raised", e.name, e.message)
  error(e)
end)
local ok, e = pcall(t.await, t)
print(ok, e.name, t:cancelled())
