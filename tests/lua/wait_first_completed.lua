-- wait() with FIRST_COMPLETED returns as soon as one is done; the others stay pending, not cancelled
local asyncio = require "asyncio"

local a = asyncio.create_task(function() asyncio.sleep(0.01) return "a" end)
local b = asyncio.create_task(function() asyncio.sleep(0.05) return "b" end)
local done, pending = asyncio.wait({a, b}, {return_when = asyncio.FIRST_COMPLETED})
print(done.n, pending.n, done[1] == a, pending[1] == b)
print(b:done(), b:cancelled())
print(b:await())
