-- notify(n) wakes the n longest waiting tasks in order, notify() one, notify_all() the rest; each wakes holding the lock
local asyncio = require "asyncio"

local cond = asyncio.Condition()
local ts = {}
for i, yields in ipairs({1, 0, 2, 0, 1}) do
  ts[i] = asyncio.create_task(function()
    for _ = 1, yields do asyncio.sleep(0) end
    cond:acquire()
    print("task " .. i .. " waits")
    cond:wait()
    print("task " .. i .. " woke", cond:locked())
    cond:release()
  end)
end
asyncio.sleep(0.01)
cond:acquire()
cond:notify(2)
cond:release()
print("notified 2")
asyncio.sleep(0.01)
cond:acquire()
cond:notify()
cond:release()
print("notified 1")
asyncio.sleep(0.01)
cond:acquire()
cond:notify_all()
cond:release()
print("notified all")
for _, t in ipairs(ts) do t:await() end
print(cond:locked())
