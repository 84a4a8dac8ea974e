-- a task that turns its CancelledError into another error ends with that error, not cancelled
local asyncio = require "asyncio"

local t = asyncio.create_task(function()
  local ok, e = pcall(asyncio.sleep, 1)
  error("replaced " .. e.name, 0)
end)
asyncio.sleep(0)
t:cancel()
local ok, e = pcall(t.await, t)
print(ok, e, t:cancelled(), t:done())
