-- cancelling the task waiting in wait() does not cancel the awaitables it waits for
local asyncio = require "asyncio"

local a = asyncio.create_task(function() asyncio.sleep(0.03) return "a" end)
local w = asyncio.create_task(function() return asyncio.wait({a}) end)
asyncio.sleep(0.01)
w:cancel()
local ok, e = pcall(w.await, w)
print(ok, e.name, w:cancelled())
print(a:cancelled(), a:await())
