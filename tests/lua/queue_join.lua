-- join() waits until task_done() was called for every item put, then wakes every joiner; with nothing unfinished it returns at once
local asyncio = require "asyncio"

local q = asyncio.Queue()
q:join()
print("join on a new queue returned")
for i = 1, 3 do q:put_nowait(i) end
local joiners = {}
for i = 1, 2 do
  joiners[i] = asyncio.create_task(function()
    q:join()
    print("joiner " .. i .. " done")
  end)
end
asyncio.sleep(0)
for _ = 1, 3 do
  print("got", q:get_nowait(), "qsize", q:qsize())
  asyncio.sleep(0)
end
print("all gotten, none done")
for i = 1, 3 do
  q:task_done()
  print("task_done", i)
  asyncio.sleep(0)
end
for i = 1, 2 do joiners[i]:await() end
q:join()
print("join after all done returned")
