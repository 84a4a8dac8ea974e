-- without return_exceptions the first error is raised at once; the other awaitables keep running
local asyncio = require "asyncio"

local slow = asyncio.create_task(function()
  asyncio.sleep(0.03)
  print("slow finished")
  return "slow"
end)
local ok, e = pcall(asyncio.gather,
  slow,
  function() asyncio.sleep(0.01) error("fast failed", 0) end)
print(ok, e, slow:done())
print(slow:await(), slow:cancelled())
