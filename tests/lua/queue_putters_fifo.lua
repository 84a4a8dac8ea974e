-- tasks blocked in put() on a full queue get in one by one, in the order they started waiting
local asyncio = require "asyncio"

local q = asyncio.Queue(1)
q:put_nowait("first")
local tasks = {}
for i, yields in ipairs({2, 0, 1}) do
  tasks[i] = asyncio.create_task(function()
    for _ = 1, yields do asyncio.sleep(0) end
    print("putter " .. i .. " waits")
    q:put("from " .. i)
    print("putter " .. i .. " put")
  end)
end
asyncio.sleep(0.01)
for _ = 1, 4 do
  print("main got", q:get_nowait(), "full", q:full())
  asyncio.sleep(0)
end
for i = 1, 3 do tasks[i]:await() end
print(q:qsize())
