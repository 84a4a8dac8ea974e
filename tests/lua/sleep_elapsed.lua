-- sleep(d) suspends for at least d seconds of loop time
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
local t0 = loop:time()
asyncio.sleep(0.03)
local dt = loop:time() - t0
print(dt >= 0.029, dt < 2)
