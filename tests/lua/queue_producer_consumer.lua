-- a producer blocked in put() on a full Queue(2) and a consumer blocked in get() on an empty one take turns as in Python
local asyncio = require "asyncio"

local q = asyncio.Queue(2)
local producer = asyncio.create_task(function()
  for i = 1, 5 do
    q:put(i)
    print("put", i, "qsize", q:qsize())
  end
  print("producer done")
end)
local consumer = asyncio.create_task(function()
  for _ = 1, 5 do
    local v = q:get()
    print("got", v, "qsize", q:qsize())
    asyncio.sleep(0)
  end
  print("consumer done")
end)
producer:await()
consumer:await()
-- get() waits for a put from another task
local waiter = asyncio.create_task(function()
  print("waiter waits")
  print("waiter got", q:get())
end)
asyncio.sleep(0.01)
print("main puts late")
q:put("late")
waiter:await()
