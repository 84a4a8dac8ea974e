-- a task cancelled before it has started never runs its function
local asyncio = require "asyncio"

local t = asyncio.create_task(function() print("never printed") end)
print(t:cancel())
local ok, e = pcall(t.await, t)
print(ok, e.name, t:cancelled())
