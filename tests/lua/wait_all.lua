-- wait() with the default ALL_COMPLETED returns when everything is done: all in done, pending empty (lists with n); errors are not raised
local asyncio = require "asyncio"

local function contains(list, x)
  for i = 1, list.n do if list[i] == x then return true end end
  return false
end
local a = asyncio.create_task(function() asyncio.sleep(0.01) return "a" end)
local b = asyncio.create_task(function() asyncio.sleep(0.03) error("b failed", 0) end)
local fut = asyncio.Future()
asyncio.get_running_loop():call_later(0.02, function() fut:set_result("f") end)
local done, pending = asyncio.wait({a, b, fut})
print(done.n, pending.n)
print(contains(done, a), contains(done, b), contains(done, fut))
print(a:result(), b:exception(), fut:result())
