-- cancel() of a task that already finished returns false and changes nothing
local asyncio = require "asyncio"

local t = asyncio.create_task(function() return 1 end)
t:await()
print(t:cancel(), t:cancelled(), t:result())
