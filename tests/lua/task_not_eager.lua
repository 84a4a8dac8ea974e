-- create_task is not eager: the task first runs when its creator suspends
local asyncio = require "asyncio"

local t = asyncio.create_task(function(x) print("task runs with", x) return x end, 7)
print("created", t:done())
print("awaited", t:await())
