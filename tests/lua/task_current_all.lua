-- current_task() is the running task; all_tasks() lists the unfinished tasks only
local asyncio = require "asyncio"

local function names(list)
  local t = {}
  for i = 1, #list do t[i] = list[i]:get_name() end
  table.sort(t)
  return table.concat(t, " ")
end

local a = asyncio.create_task(function() asyncio.sleep(0.02) end):set_name("a")
local b = asyncio.create_task(function() return asyncio.current_task():get_name() end):set_name("b")
print(names(asyncio.all_tasks()))
print(b:await())
print(names(asyncio.all_tasks()))
a:await()
print(names(asyncio.all_tasks()))
