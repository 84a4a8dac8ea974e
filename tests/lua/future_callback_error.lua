-- an error in a done callback is reported on stderr; the other callbacks, the loop and the awaiter go on
local asyncio = require "asyncio"

local fut = asyncio.Future()
fut:add_done_callback(function() error("callback boom") end)
fut:add_done_callback(function(f) print("second callback", f:result()) end)
asyncio.get_running_loop():call_later(0.01, function() fut:set_result("ok") end)
print("awaited", fut:await())
asyncio.sleep(0.01)
print("end")
