-- if the shielded task is cancelled by other means, shield raises CancelledError in the caller (which is not itself cancelled)
local asyncio = require "asyncio"

local inner = asyncio.create_task(function() asyncio.sleep(1) end)
asyncio.get_running_loop():call_later(0.01, function() inner:cancel() end)
local ok, e = pcall(asyncio.shield, inner)
print(ok, e.name, asyncio.current_task():cancelling(), inner:cancelled())
