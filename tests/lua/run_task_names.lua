-- lua-only
-- under asyncio.run in stock Lua the main task is Task-1 and the next task Task-2, as in Python
local asyncio = require "asyncio"

asyncio.run(function()
  print(asyncio.current_task():get_name())
  local t = asyncio.create_task(function() return asyncio.current_task():get_name() end)
  print(t:await())
end)
