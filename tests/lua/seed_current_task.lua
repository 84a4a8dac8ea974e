-- a current_task/all_tasks example: the main chunk is the current task; all_tasks lists the unfinished ones
local asyncio = require "asyncio"

local function worker(delay)
  asyncio.sleep(delay)
end

local function names()
  local list = asyncio.all_tasks()
  local t = {}
  for i = 1, #list do t[i] = list[i]:get_name() end
  table.sort(t)
  return table.concat(t, ", ")
end

print("current:", asyncio.current_task():get_name())
local w1 = asyncio.create_task(worker, 0.01):set_name("worker-1")
local w2 = asyncio.create_task(worker, 0.03):set_name("worker-2")
print("all:", names())
w1:await()
print("all:", names())
w2:await()
print("all:", names())
