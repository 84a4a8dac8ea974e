-- cancelling a sleeping task wakes it at once with CancelledError, long before its delay
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
local t = asyncio.create_task(function() asyncio.sleep(5) end)
asyncio.sleep(0.01)
local t0 = loop:time()
t:cancel()
local ok, e = pcall(t.await, t)
print(ok, e.name, t:cancelled(), loop:time() - t0 < 1)
