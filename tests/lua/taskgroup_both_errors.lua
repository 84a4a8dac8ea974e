-- a task's error and then an error the block raises while being cancelled: both are listed, the task's first (as in Python)
local asyncio = require "asyncio"

local ok, e = pcall(function()
  local tg <close> = asyncio.TaskGroup()
  tg:create_task(function() asyncio.sleep(0.01) error("task failed", 0) end)
  local ok2, e2 = pcall(asyncio.sleep, 1)
  error("block failed after " .. e2.name, 0)
end)
print(ok, e.name, #e.exceptions)
for i = 1, #e.exceptions do print(i, e.exceptions[i]) end
