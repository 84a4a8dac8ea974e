-- lua-only
-- loop:create_task on a loop driven by run_forever; the task stops the loop and its result is kept
local asyncio = require "asyncio"

local loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
local t = loop:create_task(function(x)
  asyncio.sleep(0.01)
  print("task ran", asyncio.get_running_loop() == loop)
  loop:stop()
  return x
end, 5)
loop:run_forever()
print(t:done(), t:result())
loop:close()
