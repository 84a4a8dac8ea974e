-- lua-only
-- run_forever runs callbacks until stop(); is_running() is true inside and false after; the loop can run again
local asyncio = require "asyncio"

local loop = asyncio.new_event_loop()
loop:call_soon(function() print("first", loop:is_running()) end)
loop:call_later(0.01, function() print("stopping") loop:stop() end)
loop:run_forever()
print("returned", loop:is_running())
loop:call_soon(function() print("second run") loop:stop() end)
loop:run_forever()
loop:close()
print("closed", loop:is_closed())
