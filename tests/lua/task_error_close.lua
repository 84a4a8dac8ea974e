-- a task that ends with an error closes its pending <close> variables before it is done
local asyncio = require "asyncio"

local t = asyncio.create_task(function()
  local c <close> = setmetatable({}, {__close = function(_, e) print("closed with", e) end})
  asyncio.sleep(0)
  error("task failed", 0)
end)
local ok, e = pcall(t.await, t)
print(ok, e)
