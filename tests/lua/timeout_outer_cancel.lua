-- cancelling the task from outside while it is in a timeout block gives CancelledError, never TimeoutError
local asyncio = require "asyncio"

local t = asyncio.create_task(function()
  local ok, e = pcall(function()
    local cm <close> = asyncio.timeout(0.5)
    asyncio.sleep(1)
  end)
  print("block raised", e.name)
  error(e)
end)
asyncio.sleep(0.01)
t:cancel()
local ok, e = pcall(t.await, t)
print(ok, e.name, t:cancelled())
