-- tostring(task) shows the state: pending, finished (also after an error), cancelled
local asyncio = require "asyncio"

local ok_task = asyncio.create_task(function() asyncio.sleep(0) return 1 end):set_name("ok")
local bad = asyncio.create_task(function() error("x", 0) end):set_name("bad")
local sleeper = asyncio.create_task(function() asyncio.sleep(1) end):set_name("sleeper")
print(tostring(ok_task))
ok_task:await()
print(tostring(ok_task))
pcall(bad.await, bad)
print(tostring(bad))
asyncio.sleep(0)
sleeper:cancel()
pcall(sleeper.await, sleeper)
print(tostring(sleeper))
