-- tasks sleep concurrently: four 0.05 s sleeps in four tasks take about 0.05 s, not 0.2 s
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
local t0 = loop:time()
local ts = {}
for i = 1, 4 do ts[i] = asyncio.create_task(function() asyncio.sleep(0.05) end) end
for _, t in ipairs(ts) do t:await() end
local dt = loop:time() - t0
print(dt >= 0.049, dt < 0.15)
