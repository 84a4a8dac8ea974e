-- leaving a TaskGroup block waits for all of its tasks; create_task passes arguments and returns the Task
local asyncio = require "asyncio"

local function body()
  local tg <close> = asyncio.TaskGroup()
  local a = tg:create_task(function() asyncio.sleep(0.03) print("a done") return "a" end)
  local b = tg:create_task(function(x) asyncio.sleep(0.01) print("b done", x) return "b" end, "arg")
  print("block end")
  return a, b
end
local a, b = body()
print("after block", a:result(), b:result())
