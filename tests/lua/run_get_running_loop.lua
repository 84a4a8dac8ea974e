-- lua-only
-- get_running_loop raises when no loop runs; inside asyncio.run it returns the running loop, which get_event_loop also returns
local asyncio = require "asyncio"

print(pcall(asyncio.get_running_loop) == false)
asyncio.run(function()
  local loop = asyncio.get_running_loop()
  print(loop:is_running(), loop:is_closed(), loop == asyncio.get_event_loop())
end)
print(pcall(asyncio.get_running_loop) == false)
