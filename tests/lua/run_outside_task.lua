-- lua-only
-- a waiting function called outside any task (no loop at all) raises "attempt to suspend outside a task"
local asyncio = require "asyncio"

local ok, e = pcall(asyncio.sleep, 0.01)
print(ok, tostring(e):find("attempt to suspend outside a task", 1, true) ~= nil)
