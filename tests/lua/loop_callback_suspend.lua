-- in a call_soon callback there is no current task, and a waiting function raises "attempt to suspend outside a task"
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
loop:call_soon(function()
  print("no current task", asyncio.current_task() == nil)
  local ok, e = pcall(asyncio.sleep, 0.01)
  print(ok, tostring(e):find("attempt to suspend outside a task", 1, true) ~= nil)
end)
asyncio.sleep(0.01)
print("main done")
