-- acquire() on a used-up Semaphore waits; each release() lets one waiter through in the order they asked, and a new acquirer queues behind them
local asyncio = require "asyncio"

local s = asyncio.Semaphore(0)
local ts = {}
for i, yields in ipairs({1, 0, 2}) do
  ts[i] = asyncio.create_task(function()
    for _ = 1, yields do asyncio.sleep(0) end
    print("task " .. i .. " asks")
    s:acquire()
    print("task " .. i .. " acquired")
  end)
end
asyncio.sleep(0.01)
s:release()
print("released one")
asyncio.sleep(0.01)
s:release()
s:release()
print("released two")
for _, t in ipairs(ts) do t:await() end
print(s:locked())
local f = asyncio.Semaphore(1)
f:acquire()
local w = asyncio.create_task(function()
  f:acquire()
  print("w acquired")
  f:release()
end)
asyncio.sleep(0)
f:release()
print("main asks again, locked", f:locked())
f:acquire()
print("main acquired after w")
f:release()
w:await()
print(f:locked())
