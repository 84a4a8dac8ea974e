-- a Future completed by set_result from a callback wakes its awaiter; state methods and tostring follow
local asyncio = require "asyncio"

local fut = asyncio.Future()
print(tostring(fut), fut:done(), fut:cancelled())
asyncio.get_running_loop():call_later(0.01, function() fut:set_result(42) end)
print(fut:await())
print(tostring(fut), fut:done(), fut:cancelled(), fut:result(), fut:exception() == nil)
