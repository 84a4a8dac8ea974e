-- wait_for raises TimeoutError only after the cancelled awaitable has finished its slow cleanup
local asyncio = require "asyncio"

local t = asyncio.create_task(function()
  local ok, e = pcall(asyncio.sleep, 1)
  print("inner cancelled, cleaning up")
  asyncio.sleep(0.03)
  print("inner cleanup done")
  error(e)
end)
local ok, e = pcall(asyncio.wait_for, t, 0.01)
print("caller got", e.name)
print(t:cancelled())
