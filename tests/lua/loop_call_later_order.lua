-- call_later fires by deadline; equal delays set one after another fire in that order; when() is the deadline
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
loop:call_later(0.05, print, "c")
loop:call_later(0.01, print, "a1")
loop:call_later(0.03, print, "b")
loop:call_later(0.01, print, "a2")
local now = loop:time()
local h = loop:call_later(0.01, print, "a3")
print(h:when() >= now + 0.01, h:when() < now + 1)
asyncio.sleep(0.07)
print("done")
