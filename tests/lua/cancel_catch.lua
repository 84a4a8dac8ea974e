-- a task that catches CancelledError with pcall and carries on is not cancelled; cancelling() stays 1 until uncancel()
local asyncio = require "asyncio"

local t = asyncio.create_task(function()
  local ok, e = pcall(asyncio.sleep, 1)
  print("caught", ok, e.name)
  local me = asyncio.current_task()
  print("cancelling", me:cancelling())
  asyncio.sleep(0.01)
  print("slept again")
  print("uncancel", me:uncancel(), me:cancelling())
  return "survived"
end)
asyncio.sleep(0.01)
print("cancel", t:cancel())
print(t:await())
print(t:cancelled(), t:done())
