-- a waiter's queue stays whole for the wait even if the script empties the queue's metatable and collects: the waiter is woken or cancelled as usual
local asyncio = require "asyncio"

local q = asyncio.Queue(1)
q:put_nowait("x")
local putter = asyncio.create_task(function() q:put("y") print("put done") end)
local getter_q = asyncio.Queue()
local getter = asyncio.create_task(function() return getter_q:get() end)
asyncio.sleep(0)
-- both waiters parked; their queues' structs lose the metatable's reference
local get_now = q.get_nowait
getmetatable(q)[1] = nil
getmetatable(getter_q)[1] = nil
asyncio.Queue():qsize()	-- the cache now holds another queue
collectgarbage()
collectgarbage()
print(pcall(get_now, q))
getter:cancel()
print(pcall(getter.await, getter))
putter:cancel()
print(pcall(putter.await, putter))
print(getter:cancelled(), putter:cancelled())
