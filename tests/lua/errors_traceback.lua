-- an asyncio error caught from a failing task carries its traceback as a string
local asyncio = require "asyncio"

local t = asyncio.create_task(function()
  asyncio.wait_for(function() asyncio.sleep(1) end, 0.01)
end)
local ok, e = pcall(t.await, t)
print(ok, e.name, type(e.traceback))
