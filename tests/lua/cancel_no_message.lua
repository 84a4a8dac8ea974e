-- cancel() without a message: the CancelledError's message is "" and tostring gives just "CancelledError"
local asyncio = require "asyncio"

local t = asyncio.create_task(function()
  local ok, e = pcall(asyncio.sleep, 1)
  print("inside:", e.name, e.message == "", tostring(e))
  error(e)
end)
asyncio.sleep(0)
t:cancel()
local ok, e = pcall(t.await, t)
print("outside:", e.name, e.message == "", tostring(e))
