-- both
-- remove_done_callback on a finished future or task removes nothing and returns 0; the callback already scheduled still runs (as Python's)
local asyncio = require "asyncio"
asyncio.run(function()
  local f = asyncio.Future()
  local cb = function() print("cb") end
  f:add_done_callback(cb)
  f:set_result(1)
  print(f:remove_done_callback(cb))
  asyncio.sleep(0)
  local t = asyncio.create_task(function() asyncio.sleep(0) end)
  t:add_done_callback(cb)
  t:await()
  print(t:remove_done_callback(cb))
end)
