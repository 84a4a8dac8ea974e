-- loop:create_future() makes a pending Future that a call_later callback can complete
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
local f = loop:create_future()
print(tostring(f), f:done())
loop:call_later(0.01, f.set_result, f, "value")
print(f:await())
print(tostring(f), f:done())
