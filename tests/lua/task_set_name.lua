-- set_name returns the task itself; get_name and tostring show the new name in every state
local asyncio = require "asyncio"

local t = asyncio.create_task(function() asyncio.sleep(0) end)
local r = t:set_name("worker")
print(rawequal(r, t), t:get_name(), tostring(t))
t:await()
print(tostring(t))
local t2 = asyncio.create_task(function() end):set_name("chained")
print(t2:get_name())
t2:await()
