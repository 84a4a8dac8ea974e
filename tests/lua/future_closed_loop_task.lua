-- lua-only
-- Cancelling a task left suspended by a closed loop (sleeping, awaiting a Future)
-- is harmless: it never runs again (waking it crashed on the closed loop)
local asyncio = require "asyncio"

local loop = asyncio.new_event_loop()
local fut = loop:create_future()
local sleeper = loop:create_task(function() asyncio.sleep(10) end)
local awaiter = loop:create_task(function() fut:await() end)
loop:run_until_complete(function() asyncio.sleep(0) end)
loop:close()
print("sleeper", pcall(sleeper.cancel, sleeper))
print("sleeper", sleeper:done(), sleeper:cancelling())
-- the awaited Future is cancelled: its only callback is the task's wake-up
print("awaiter", pcall(awaiter.cancel, awaiter))
print("awaiter", awaiter:done(), fut:cancelled())
