-- Future:cancel(msg) wakes awaiters with CancelledError carrying msg; the awaiting task that catches it is not cancelled
local asyncio = require "asyncio"

local fut = asyncio.Future()
local t = asyncio.create_task(function()
  local ok, e = pcall(fut.await, fut)
  print("awaiter got", e.name, e.message)
end)
asyncio.sleep(0)
print(fut:cancel("stopped"), fut:cancel())
t:await()
print(fut:cancelled(), fut:done(), tostring(fut))
local ok, e = pcall(fut.result, fut)
print(ok, asyncio.CancelledError:is(e))
ok, e = pcall(fut.exception, fut)
print(ok, asyncio.CancelledError:is(e))
print(t:cancelled())
