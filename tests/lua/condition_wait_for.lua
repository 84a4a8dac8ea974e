-- wait_for(predicate) checks the predicate first, waits again while it is false, and returns its first true value holding the lock
local asyncio = require "asyncio"

local cond = asyncio.Condition()
local n = 0
local t = asyncio.create_task(function()
  cond:acquire()
  local r = cond:wait_for(function()
    print("predicate sees", n)
    return n >= 3 and "n=" .. n
  end)
  print("wait_for returned", r, cond:locked())
  cond:release()
end)
for _ = 1, 4 do
  asyncio.sleep(0)
  cond:acquire()
  n = n + 1
  print("main sets n to", n)
  cond:notify()
  cond:release()
end
t:await()
cond:acquire()
print("already true:", cond:wait_for(function() return 42 end))
cond:release()
