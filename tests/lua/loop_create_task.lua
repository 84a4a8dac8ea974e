-- loop:create_task(fn, ...) works like asyncio.create_task on the running loop
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
local t = loop:create_task(function(a, b) asyncio.sleep(0) return a .. b end, "x", "y")
print(tostring(t):match("^<Task pending") ~= nil)
print(t:await())
