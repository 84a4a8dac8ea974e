-- a coroutine object can be awaited once; a second await raises an error mentioning "already awaited"
local asyncio = require "asyncio"

local f = asyncio.async(function() asyncio.sleep(0) return 1 end)
local c = f()
print(c:await())
local ok, e = pcall(c.await, c)
print(ok, tostring(e):find("already awaited", 1, true) ~= nil)
print(f():await())
