-- a callback scheduled from a callback runs after everything already queued (including the waiting task's next step)
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
loop:call_soon(function()
  print("a")
  loop:call_soon(print, "c")
end)
loop:call_soon(print, "b")
asyncio.sleep(0)
print("main resumed")
asyncio.sleep(0.01)
print("end")
