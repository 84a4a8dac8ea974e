-- cancelling the task that awaits gather cancels every child not yet done (their cleanup runs); finished ones stay as they are
local asyncio = require "asyncio"

local function child(name, delay)
  local c <close> = setmetatable({}, {__close = function(_, e) print(name, "closed", e and e.name) end})
  asyncio.sleep(delay)
  return name
end
local quick = asyncio.create_task(child, "quick", 0)
local c1 = asyncio.create_task(child, "c1", 1)
local c2 = asyncio.create_task(child, "c2", 1)
local g = asyncio.create_task(function() return asyncio.gather(quick, c1, c2) end)
asyncio.sleep(0.01)
print("cancel", g:cancel())
local ok, e = pcall(g.await, g)
print(ok, e.name)
print(quick:cancelled(), c1:cancelled(), c2:cancelled(), g:cancelled())
