-- CancelledError goes through nested pcalls that re-raise it, running each level's handler, and the task ends cancelled
local asyncio = require "asyncio"

local function level(n)
  if n == 0 then asyncio.sleep(1) return end
  local ok, e = pcall(level, n - 1)
  print("level", n, "saw", e.name)
  error(e)
end
local t = asyncio.create_task(level, 3)
asyncio.sleep(0.01)
t:cancel()
local ok, e = pcall(t.await, t)
print(ok, e.name, t:cancelled())
