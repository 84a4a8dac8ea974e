-- cleanup after a caught CancelledError may itself wait; awaiting the cancelled task waits for the cleanup
local asyncio = require "asyncio"

local t = asyncio.create_task(function()
  local ok, e = pcall(asyncio.sleep, 1)
  print("cleanup starts")
  asyncio.sleep(0.02)
  print("cleanup ends")
  error(e)
end)
asyncio.sleep(0.01)
t:cancel()
local ok, e = pcall(t.await, t)
print("awaiter got", e.name, t:cancelled())
