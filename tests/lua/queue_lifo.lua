-- LifoQueue gives the most recently put item first; bounded, it blocks put() when full; a waiting getter is woken by put
local asyncio = require "asyncio"

local q = asyncio.LifoQueue()
for i = 1, 5 do q:put_nowait(i) end
local out = {}
while not q:empty() do out[#out + 1] = q:get_nowait() end
print(table.concat(out, " "))
q:put_nowait("a")
q:put_nowait("b")
print(q:get_nowait())
q:put_nowait("c")
print(q:get_nowait(), q:get_nowait(), q:empty())
local b = asyncio.LifoQueue(2)
local getter = asyncio.create_task(function() print("getter got", b:get()) end)
asyncio.sleep(0)
b:put_nowait("x")
getter:await()
b:put_nowait("y")
b:put_nowait("z")
print("full", b:full())
local putter = asyncio.create_task(function() b:put("w") print("putter put w") end)
asyncio.sleep(0)
print("main got", b:get_nowait())
asyncio.sleep(0)
print("main got", b:get_nowait(), b:get_nowait(), b:qsize())
putter:await()
