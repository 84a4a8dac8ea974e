-- sleeping tasks wake in deadline order; equal delays started one after another wake in that order
local asyncio = require "asyncio"

local ts = {}
for _, d in ipairs({0.05, 0.01, 0.03}) do
  ts[#ts + 1] = asyncio.create_task(function() asyncio.sleep(d) print("woke", d) end)
end
for i = 1, 3 do
  ts[#ts + 1] = asyncio.create_task(function() asyncio.sleep(0.07) print("same delay", i) end)
end
for _, t in ipairs(ts) do t:await() end
