-- wait() with a timeout returns what finished in time; the rest stay pending and are not cancelled; no TimeoutError
local asyncio = require "asyncio"

local a = asyncio.create_task(function() asyncio.sleep(0.01) return "a" end)
local b = asyncio.create_task(function() asyncio.sleep(0.2) return "b" end)
local done, pending = asyncio.wait({a, b}, {timeout = 0.03})
print(done.n, pending.n, done[1] == a, pending[1] == b)
print(b:done(), b:cancelled())
done, pending = asyncio.wait({b}, {timeout = 0.01})
print(done.n, pending.n)
b:cancel()
