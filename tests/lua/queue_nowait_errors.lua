-- get_nowait() on an empty queue raises QueueEmpty and put_nowait() on a full one QueueFull (for all three kinds); the queue stays as it was
local asyncio = require "asyncio"

for _, kind in ipairs({"Queue", "PriorityQueue", "LifoQueue"}) do
  local q = asyncio[kind](1)
  local ok, e = pcall(q.get_nowait, q)
  print(kind, ok, e.name, asyncio.QueueEmpty:is(e), asyncio.QueueFull:is(e))
  q:put_nowait(7)
  ok, e = pcall(q.put_nowait, q, 8)
  print(kind, ok, e.name, asyncio.QueueFull:is(e), asyncio.QueueEmpty:is(e), asyncio.QueueShutDown:is(e))
  print(kind, q:qsize(), q:get_nowait(), q:qsize())
end
