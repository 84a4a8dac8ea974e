-- a done callback added to a task that is already done still runs via call_soon, not at once
local asyncio = require "asyncio"

local t = asyncio.create_task(function() return "x" end)
t:await()
t:add_done_callback(function(task) print("late callback", task:result()) end)
print("added")
asyncio.sleep(0)
print("end")
