-- set_debug/get_debug round-trip; debug mode is off by default
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
print(loop:get_debug())
loop:set_debug(true)
print(loop:get_debug())
loop:set_debug(false)
print(loop:get_debug())
