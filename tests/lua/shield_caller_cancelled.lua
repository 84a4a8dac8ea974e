-- cancelling the caller of shield(aw) raises CancelledError in the caller, but aw goes on and finishes
local asyncio = require "asyncio"

local inner = asyncio.create_task(function()
  asyncio.sleep(0.03)
  print("inner finished")
  return "result"
end)
local caller = asyncio.create_task(function()
  local ok, e = pcall(asyncio.shield, inner)
  print("caller got", e.name)
  error(e)
end)
asyncio.sleep(0.01)
caller:cancel()
pcall(caller.await, caller)
print(caller:cancelled(), inner:cancelled(), inner:done())
print(inner:await())
