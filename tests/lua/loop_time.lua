-- loop:time() is a float from a monotonic clock and advances by at least the delay across a sleep
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
local t1 = loop:time()
print(math.type(t1))
asyncio.sleep(0.02)
local t2 = loop:time()
print(t2 >= t1 + 0.019, t2 < t1 + 2)
