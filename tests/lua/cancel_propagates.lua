-- cancelling a task that awaits another task cancels that task too, with the same message
local asyncio = require "asyncio"

local inner = asyncio.create_task(function()
  local ok, e = pcall(asyncio.sleep, 1)
  print("inner got", e.name, e.message)
  error(e)
end)
local outer = asyncio.create_task(function()
  local ok, e = pcall(inner.await, inner)
  print("outer got", e.name, e.message)
  error(e)
end)
asyncio.sleep(0.01)
outer:cancel("stop")
pcall(outer.await, outer)
print(inner:cancelled(), outer:cancelled())
