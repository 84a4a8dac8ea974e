-- a task cancelled in Barrier.wait() raises CancelledError and no longer counts as waiting; the barrier is not broken and trips for the next full set
local asyncio = require "asyncio"

local b = asyncio.Barrier(2)
local t = asyncio.create_task(function() return b:wait() end)
asyncio.sleep(0.01)
print("n_waiting", b.n_waiting)
t:cancel()
local ok, e = pcall(t.await, t)
print(ok, e.name, t:cancelled())
print("n_waiting", b.n_waiting, "broken", b.broken)
local r = asyncio.gather(function() return b:wait() end, function() return b:wait() end)
print(r[1], r[2], b.n_waiting, b.broken)
