-- on timeout wait_for cancels the awaitable (its cleanup runs), and raises TimeoutError
local asyncio = require "asyncio"

local t = asyncio.create_task(function()
  local c <close> = setmetatable({}, {__close = function(_, e) print("inner closed", e and e.name) end})
  asyncio.sleep(1)
end)
local ok, e = pcall(asyncio.wait_for, t, 0.01)
print(ok, e.name, asyncio.TimeoutError:is(e))
print(t:cancelled(), t:done(), asyncio.current_task():cancelling())
