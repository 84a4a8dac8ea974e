-- a waiter notified and then cancelled before it ran hands the notification on to the next waiter, as in Python 3.13: no lost wake-up
local asyncio = require "asyncio"

local cond = asyncio.Condition()
local function waiter(name)
  cond:acquire()
  local ok, e = pcall(cond.wait, cond)
  print(name, ok, ok or e.name, cond:locked())
  cond:release()
  if not ok then error(e) end
end
local a = asyncio.create_task(waiter, "a")
local b = asyncio.create_task(waiter, "b")
asyncio.sleep(0)
cond:acquire()
cond:notify()
a:cancel()
cond:release()
local ok, e = pcall(a.await, a)
print("a cancelled", ok, e.name)
asyncio.sleep(0.01)
print("b done", b:done())
print(cond:locked())
