-- cancelling() counts the cancel requests a task has had (uncancel takes one back); the count
-- is 16 bits in the Task and stops at 65535 rather than wrap to 0 and forget them.
local asyncio = require "asyncio"

local t = asyncio.create_task(function() asyncio.sleep(1) end)
for _ = 1, 3 do t:cancel() end
print("after 3 requests:", t:cancelling(), "uncancel:", t:uncancel())
for _ = 1, 70000 do t:cancel() end
print("after 70,002 requests:", t:cancelling())
print("uncancel:", t:uncancel())
print("cancelled:", pcall(asyncio.await, t), t:cancelled())
