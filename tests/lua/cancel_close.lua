-- on cancellation the task's <close> variables are closed innermost first and see the CancelledError
local asyncio = require "asyncio"

local function closer(name)
  return setmetatable({}, {__close = function(_, err) print("close", name, err and err.name) end})
end
local t = asyncio.create_task(function()
  local a <close> = closer("a")
  do
    local b <close> = closer("b")
    asyncio.sleep(1)
  end
  print("not reached")
end)
asyncio.sleep(0.01)
t:cancel()
local ok = pcall(t.await, t)
print(ok, t:cancelled())
