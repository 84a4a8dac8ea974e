-- Lock is fair: waiters get it in the order they asked, and a task asking again right after its release() queues behind them
local asyncio = require "asyncio"

local lock = asyncio.Lock()
lock:acquire()
local function worker(name, yields)
  for _ = 1, yields do asyncio.sleep(0) end
  print(name .. " asks")
  lock:acquire()
  print(name .. " has the lock")
  asyncio.sleep(0)
  lock:release()
end
local ts = {
  asyncio.create_task(worker, "a", 2),
  asyncio.create_task(worker, "b", 0),
  asyncio.create_task(worker, "c", 1),
}
asyncio.sleep(0.01)
print("main releases")
lock:release()
print("main asks again")
lock:acquire()
print("main has the lock again")
lock:release()
for _, t in ipairs(ts) do t:await() end
print(lock:locked())
