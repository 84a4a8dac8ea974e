-- ready tasks run in FIFO order: tasks created in order start in that order and take turns at sleep(0)
local asyncio = require "asyncio"

local function worker(name)
  for i = 1, 3 do
    print(name, i)
    asyncio.sleep(0)
  end
end
local ts = {}
for _, n in ipairs({"a", "b", "c"}) do ts[#ts + 1] = asyncio.create_task(worker, n) end
for _, t in ipairs(ts) do t:await() end
