-- aiod: inside the main chunk and in tasks get_running_loop() is the running loop, the same as get_event_loop()
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
print(loop:is_running(), loop:is_closed(), loop == asyncio.get_event_loop())
local t = asyncio.create_task(function() return asyncio.get_running_loop() end)
print(t:await() == loop)
