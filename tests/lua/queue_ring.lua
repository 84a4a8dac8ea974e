-- -- both
-- items keep their order while the queue's storage grows around a moved head (unbounded, and bounded by a size that is no power of two); tostring shows kind, maxsize, qsize, shutdown
local asyncio = require "asyncio"

local function drain(q)
  local out = {}
  while not q:empty() do out[#out + 1] = q:get_nowait() end
  return table.concat(out, " ")
end

local q = asyncio.Queue()
for i = 1, 10 do q:put_nowait(i) end
for _ = 1, 7 do q:get_nowait() end
for i = 11, 40 do q:put_nowait(i) end
print(q:qsize(), drain(q))

local b = asyncio.Queue(20)
for i = 1, 12 do b:put_nowait(i) end
for _ = 1, 10 do b:get_nowait() end
for i = 13, 30 do b:put_nowait(i) end
print(b:qsize(), b:full(), pcall(b.put_nowait, b, 31) == false)
print(drain(b))

local l = asyncio.LifoQueue(2.5)
l:put_nowait("a"); l:put_nowait("b"); l:put_nowait("c")
print(l:full(), drain(l))

print(tostring(asyncio.Queue()), tostring(b), tostring(asyncio.PriorityQueue(7)))
b:shutdown()
print(tostring(b), asyncio.LifoQueue(2.5))
