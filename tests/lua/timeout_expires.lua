-- when the deadline of a timeout block passes, leaving the block raises TimeoutError; the task is not left cancelled
local asyncio = require "asyncio"

local function work()
  local t <close> = asyncio.timeout(0.01)
  asyncio.sleep(1)
  print("not reached")
end
local ok, e = pcall(work)
print(ok, e.name, asyncio.TimeoutError:is(e))
print(asyncio.current_task():cancelling())
asyncio.sleep(0.01)
print("task goes on")
