-- call_soon callbacks run in FIFO order with their arguments (nils kept), once the current task suspends
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
loop:call_soon(print, "one", 1)
loop:call_soon(function(a, b, c) print("two", a, b, c) end, "x", nil, "z")
loop:call_soon(print, "three")
print("scheduled")
asyncio.sleep(0)
print("after sleep(0)")
