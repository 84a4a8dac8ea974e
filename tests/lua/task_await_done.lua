-- a Task (unlike a coroutine object) can be awaited any number of times, also after it finished
local asyncio = require "asyncio"

local t = asyncio.create_task(function() asyncio.sleep(0) return "v" end)
print(t:await(), t:await(), asyncio.await(t))
