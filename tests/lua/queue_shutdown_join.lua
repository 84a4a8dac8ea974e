-- shutdown(true) counts only the dropped items as done: join() still waits for an item that was got but not yet task_done()
local asyncio = require "asyncio"

local q = asyncio.Queue()
for _, v in ipairs({"x", "y", "z"}) do q:put_nowait(v) end
print("got", q:get_nowait())
local joiner = asyncio.create_task(function() q:join() print("joiner done") end)
asyncio.sleep(0)
q:shutdown(true)
print("dropped, qsize", q:qsize())
asyncio.sleep(0.01)
print("joiner still waits", not joiner:done())
q:task_done()
print("task_done for x")
joiner:await()
