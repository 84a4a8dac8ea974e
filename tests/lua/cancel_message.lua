-- cancel(msg): the CancelledError raised inside the task and the one its awaiter gets both carry msg
local asyncio = require "asyncio"

local t = asyncio.create_task(function()
  local ok, e = pcall(asyncio.sleep, 1)
  print("inside:", e.name, e.message, tostring(e))
  error(e)
end)
asyncio.sleep(0)
print(t:cancel("why"))
local ok, e = pcall(t.await, t)
print("outside:", e.name, e.message, tostring(e))
print(t:cancelled())
