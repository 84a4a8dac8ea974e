-- a cancelled child makes gather raise CancelledError; the caller itself is not cancelled and the other children go on
local asyncio = require "asyncio"

local c1 = asyncio.create_task(function() asyncio.sleep(1) end)
local c2 = asyncio.create_task(function() asyncio.sleep(0.03) return "c2" end)
asyncio.get_running_loop():call_later(0.01, function() c1:cancel() end)
local ok, e = pcall(asyncio.gather, c1, c2)
print(ok, e.name, asyncio.current_task():cancelling())
print(c2:done(), c2:await())
