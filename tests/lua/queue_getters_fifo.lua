-- tasks blocked in get() are served in the order they started waiting, not the order they were created
local asyncio = require "asyncio"

local q = asyncio.Queue()
local tasks = {}
for i, yields in ipairs({2, 0, 1}) do
  tasks[i] = asyncio.create_task(function()
    for _ = 1, yields do asyncio.sleep(0) end
    print("getter " .. i .. " waits")
    local v = q:get()
    print("getter " .. i .. " got " .. v)
  end)
end
asyncio.sleep(0.01)
for _, v in ipairs({"a", "b", "c"}) do q:put_nowait(v) end
print("put a b c")
for i = 1, 3 do tasks[i]:await() end
print(q:qsize())
