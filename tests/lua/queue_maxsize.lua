-- maxsize: a positive maxsize bounds the queue (full() once it holds maxsize items); 0, a negative number or none is unbounded
local asyncio = require "asyncio"

local q = asyncio.Queue(2)
print(q.maxsize, q:qsize(), q:full())
q:put_nowait(1)
print(q:qsize(), q:full())
q:put_nowait(2)
print(q:qsize(), q:full())
q:get_nowait()
print(q:qsize(), q:full())
for _, m in ipairs({0, -1}) do
  local u = asyncio.Queue(m)
  for i = 1, 1000 do u:put_nowait(i) end
  print(m, u.maxsize, u:qsize(), u:full())
end
local d = asyncio.Queue()
for i = 1, 1000 do d:put_nowait(i) end
print(d.maxsize, d:qsize(), d:full())
local n = asyncio.Queue(nil)
for i = 1, 1000 do n:put_nowait(i) end
print(n:qsize(), n:full())
print(asyncio.PriorityQueue(3).maxsize, asyncio.LifoQueue(4).maxsize)
print(asyncio.PriorityQueue().maxsize, asyncio.LifoQueue().maxsize)
