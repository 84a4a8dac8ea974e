-- lua-only
-- asyncio.run can be called again after it returned: each call has its own loop, closed at the end; none runs in between
local asyncio = require "asyncio"

local l1 = asyncio.run(function() return asyncio.get_running_loop() end)
print(pcall(asyncio.get_running_loop) == false)
local l2 = asyncio.run(function() return asyncio.get_running_loop() end)
print(l1 == l2, l1:is_closed(), l2:is_closed())
