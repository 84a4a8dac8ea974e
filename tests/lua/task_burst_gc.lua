-- A burst of new tasks runs no cycle of the collector: tasks are live
-- until they finish, so each that takes the count of unfinished tasks
-- past its peak credits the collector for itself (l_task.c, "A burst of
-- new tasks"); a cycle would have found this dropped sentinel and run
-- its finalizer. Tasks made below the peak credit nothing.
local asyncio = require "asyncio"

local N = 5000

local function burst()
  collectgarbage()
  collectgarbage()
  local collected = false
  setmetatable({}, {__gc = function() collected = true end})
  local tasks = {}
  for i = 1, N do tasks[i] = asyncio.create_task(asyncio.sleep, 0) end
  local during = collected
  asyncio.gather(table.unpack(tasks, 1, N))
  return during
end

print("a first burst, collected during it:", burst())
print("the same burst again, below the peak:", burst())
