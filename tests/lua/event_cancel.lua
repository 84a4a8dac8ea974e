-- a task cancelled in wait() raises CancelledError and leaves no waiter behind; the others are still woken; wait_for on wait() times out
local asyncio = require "asyncio"

local ev = asyncio.Event()
local a = asyncio.create_task(function() return ev:wait() end)
local b = asyncio.create_task(function()
  local r = ev:wait()
  print("b woke", r)
  return r
end)
asyncio.sleep(0)
a:cancel()
local ok, e = pcall(a.await, a)
print("a", ok, e.name, a:cancelled())
ev:set()
print("b", b:await())
ev:clear()
ok, e = pcall(asyncio.wait_for, function() return ev:wait() end, 0.01)
print(ok, e.name, ev:is_set())
ev:set()
print(ev:wait())
