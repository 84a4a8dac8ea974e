-- a getter woken by put and cancelled before it ran passes the item on to the next getter; join() woken at zero returns even if a put came after (Python's Event)
local asyncio = require "asyncio"

local q = asyncio.Queue()
local function getter(name)
  local ok, v = pcall(q.get, q)
  if ok then print(name, "got", v) else print(name, asyncio.CancelledError:is(v) and "cancelled" or tostring(v)) end
end
local a = asyncio.create_task(getter, "a")
asyncio.create_task(getter, "b")
asyncio.sleep(0)
q:put_nowait(1)
a:cancel()
asyncio.sleep(0); asyncio.sleep(0)
print("left", q:qsize())

local q2 = asyncio.Queue()
q2:put_nowait("x")
local j = asyncio.create_task(function()
  q2:join()
  print("joined, unfinished put after:", q2:qsize())
end)
asyncio.sleep(0)
q2:get_nowait(); q2:task_done(); q2:put_nowait("y")
asyncio.sleep(0)
print("joiner done", j:done())
