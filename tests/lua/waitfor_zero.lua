-- wait_for with timeout 0: a done awaitable gives its result; a pending one is cancelled and TimeoutError raised
local asyncio = require "asyncio"

local done = asyncio.create_task(function() return "ready" end)
done:await()
print(asyncio.wait_for(done, 0))
local t = asyncio.create_task(function() asyncio.sleep(1) end)
local ok, e = pcall(asyncio.wait_for, t, 0)
print(ok, e.name, t:cancelled())
