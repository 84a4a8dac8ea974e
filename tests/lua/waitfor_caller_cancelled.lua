-- cancelling the task waiting in wait_for cancels the inner awaitable too; the caller gets CancelledError, not TimeoutError
local asyncio = require "asyncio"

local inner = asyncio.create_task(function()
  local ok, e = pcall(asyncio.sleep, 1)
  print("inner got", e.name)
  error(e)
end)
local caller = asyncio.create_task(function()
  local ok, e = pcall(asyncio.wait_for, inner, 0.5)
  print("caller got", e.name)
  error(e)
end)
asyncio.sleep(0.01)
caller:cancel()
pcall(caller.await, caller)
print(inner:cancelled(), caller:cancelled())
