-- lua-only
-- get_running_loop() outside any loop raises; in a loop's callback (no task current) and its task it is that loop; after the run it raises again, and a second loop run next is its own
local asyncio = require "asyncio"

print(pcall(asyncio.get_running_loop))
local loop = asyncio.new_event_loop()
loop:call_soon(function() print("callback", asyncio.get_running_loop() == loop) end)
print("task", loop:run_until_complete(loop:create_task(function()
  return asyncio.get_running_loop() == loop
end)))
print(pcall(asyncio.get_running_loop))
local other = asyncio.new_event_loop()
print("other", other:run_until_complete(other:create_task(function()
  return asyncio.get_running_loop() == other
end)))
print(pcall(asyncio.get_running_loop))
loop:close()
other:close()
