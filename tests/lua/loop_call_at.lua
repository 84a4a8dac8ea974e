-- call_at schedules at an absolute loop:time(); the handle's when() is that time
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
local t0 = loop:time()
local h2 = loop:call_at(t0 + 0.03, print, "second")
local h1 = loop:call_at(t0 + 0.01, function(x) print("first", x) end, "arg")
print(math.abs(h1:when() - (t0 + 0.01)) < 1e-6, math.abs(h2:when() - (t0 + 0.03)) < 1e-6)
asyncio.sleep(0.05)
print("done")
