-- cancelling a task that awaits a Future cancels the Future too
local asyncio = require "asyncio"

local fut = asyncio.Future()
local t = asyncio.create_task(function() return fut:await() end)
asyncio.sleep(0)
t:cancel()
local ok, e = pcall(t.await, t)
print(ok, e.name)
print(fut:cancelled(), t:cancelled())
