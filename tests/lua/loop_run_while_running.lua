-- both
-- run_until_complete / run_forever on the running loop raise, and leave nothing
-- behind (the stop callback stayed: when its task ended, the loop stopped and
-- every task, main included, was cancelled)
local asyncio = require "asyncio"

local function try(what, f)
  local ok, e = pcall(f)
  print(what, ok, ok or tostring(e):gsub("^.-:%d+: ", ""))
end

asyncio.run(function()
  local loop = asyncio.get_running_loop()
  local before = #asyncio.all_tasks()
  local child = asyncio.create_task(function() asyncio.sleep(0.001) return "child" end)
  try("run_until_complete task", function() return loop:run_until_complete(child) end)
  try("run_until_complete function", function()
    return loop:run_until_complete(function() print("never runs") end)
  end)
  try("run_forever", function() loop:run_forever() end)
  print("no task made", #asyncio.all_tasks() == before + 1)
  print("child", child:await())
  asyncio.sleep(0.002)
  print("main still runs", not asyncio.current_task():cancelled())
  local other = asyncio.new_event_loop()
  try("another loop", function() return other:run_until_complete(function() end) end)
  other:close()
end)
print("done")
