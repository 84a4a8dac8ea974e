-- traceback() of a suspended task is a string that names the script where the task waits
local asyncio = require "asyncio"

local function waiter() asyncio.sleep(1) end
local t = asyncio.create_task(waiter)
asyncio.sleep(0)
local tb = t:traceback()
print(type(tb), tb:find("task_traceback.lua", 1, true) ~= nil)
t:cancel()
pcall(t.await, t)
