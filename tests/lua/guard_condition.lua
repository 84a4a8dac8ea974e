-- Condition:guard() holds the lock for the block (wait() works inside) and releases it on normal exit, error, and cancellation inside wait()
local asyncio = require "asyncio"

local cond = asyncio.Condition()
local ready = false
local t = asyncio.create_task(function()
  local _ <close> = cond:guard()
  print("waiter inside", cond:locked())
  while not ready do cond:wait() end
  print("waiter woke", cond:locked())
end)
asyncio.sleep(0.01)
print("lock free while waiting", not cond:locked())
do
  local _ <close> = cond:guard()
  ready = true
  cond:notify()
end
t:await()
print("after normal exit", cond:locked())
local ok, e = pcall(function()
  local _ <close> = cond:guard()
  error("boom", 0)
end)
print("after error", ok, e, cond:locked())
local c = asyncio.create_task(function()
  local _ <close> = cond:guard()
  cond:wait()
end)
asyncio.sleep(0.01)
c:cancel()
ok, e = pcall(c.await, c)
print("after cancellation in wait", ok, e.name, cond:locked())
local lock = asyncio.Lock()
local shared = asyncio.Condition(lock)
do
  local _ <close> = shared:guard()
  print("given lock held", lock:locked())
end
print("given lock released", lock:locked())
