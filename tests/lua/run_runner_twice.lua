-- lua-only
-- Runner: several run() calls share one loop; a task left running by one run() goes on during the next
local asyncio = require "asyncio"

local r = asyncio.Runner()
local loop1
print(r:run(function()
  loop1 = asyncio.get_running_loop()
  asyncio.create_task(function() asyncio.sleep(0.01) print("background done") end)
  return "first"
end))
print(r:run(function()
  print("same loop", asyncio.get_running_loop() == loop1)
  asyncio.sleep(0.03)
  return "second"
end))
r:close()
print("closed", loop1:is_closed())
