-- sleep(0) and negative delays only yield to the other ready tasks
local asyncio = require "asyncio"

local function worker(name)
  for i = 1, 3 do
    print(name, i)
    asyncio.sleep(0)
  end
end
local a = asyncio.create_task(worker, "a")
local b = asyncio.create_task(worker, "b")
asyncio.sleep(-1)
print("main")
a:await()
b:await()
