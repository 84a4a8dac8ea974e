-- wait() with FIRST_EXCEPTION returns at the first error; without any error it waits for all
local asyncio = require "asyncio"

local a = asyncio.create_task(function() asyncio.sleep(0.01) return "a" end)
local b = asyncio.create_task(function() asyncio.sleep(0.03) error("b failed", 0) end)
local c = asyncio.create_task(function() asyncio.sleep(0.06) return "c" end)
local done, pending = asyncio.wait({a, b, c}, {return_when = asyncio.FIRST_EXCEPTION})
print(done.n, pending.n, pending[1] == c, c:done())
print(b:exception())
c:cancel()
local x = asyncio.create_task(function() asyncio.sleep(0.01) end)
local y = asyncio.create_task(function() asyncio.sleep(0.02) end)
done, pending = asyncio.wait({x, y}, {return_when = asyncio.FIRST_EXCEPTION})
print(done.n, pending.n)
