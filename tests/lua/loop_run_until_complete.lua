-- lua-only
-- new_event_loop + set_event_loop/get_event_loop; run_until_complete with a function, a coroutine object and a Future
local asyncio = require "asyncio"

local loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
print(asyncio.get_event_loop() == loop, loop:is_running(), loop:is_closed())
print(loop:run_until_complete(function()
  asyncio.sleep(0.01)
  return "from function", asyncio.get_running_loop() == loop
end))

local double = asyncio.async(function(x) asyncio.sleep(0) return x * 2 end)
print(loop:run_until_complete(double(21)))

local fut = loop:create_future()
loop:call_later(0.01, function() fut:set_result("from future") end)
print(loop:run_until_complete(fut))

loop:close()
print(loop:is_running(), loop:is_closed())
