-- wait(), wait_for(), notify() and notify_all() without the lock held are plain errors; release() of an unlocked Condition is "Lock is not acquired."
local asyncio = require "asyncio"

local function check(text, f)
  local ok, e = pcall(f)
  print(ok, type(e), tostring(e):find(text, 1, true) ~= nil)
end
local cond = asyncio.Condition()
check("cannot wait on un-acquired lock", function() cond:wait() end)
check("cannot wait on un-acquired lock", function() cond:wait_for(function() return false end) end)
check("cannot notify on un-acquired lock", function() cond:notify() end)
check("cannot notify on un-acquired lock", function() cond:notify(2) end)
check("cannot notify on un-acquired lock", function() cond:notify_all() end)
check("Lock is not acquired.", function() cond:release() end)
print(cond:locked())
cond:acquire()
cond:notify()
cond:release()
print("fine with the lock held", cond:locked())
