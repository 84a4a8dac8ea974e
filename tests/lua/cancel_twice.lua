-- two cancel() calls before the task runs again raise CancelledError once but count twice in cancelling()
local asyncio = require "asyncio"

local t = asyncio.create_task(function()
  local ok, e = pcall(asyncio.sleep, 1)
  print("caught", e.name)
  local me = asyncio.current_task()
  print("cancelling", me:cancelling())
  print("uncancel", me:uncancel())
  print("second sleep ok", (pcall(asyncio.sleep, 0.01)))
  return "done"
end)
asyncio.sleep(0.01)
print(t:cancel(), t:cancel())
print(t:await())
