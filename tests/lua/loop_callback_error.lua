-- an error in a call_soon callback is reported on stderr; the loop, other callbacks and the task go on
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
loop:call_soon(function() error("callback boom") end)
loop:call_soon(print, "next callback runs")
loop:call_later(0.01, function() error("timer boom") end)
asyncio.sleep(0.02)
print("main goes on")
