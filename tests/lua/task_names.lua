-- default names: under aiod the main chunk's task is 'main' and the tasks the script creates are Task-1, Task-2, ...
local asyncio = require "asyncio"

print(asyncio.current_task():get_name())
local t1 = asyncio.create_task(function() end)
local t2 = asyncio.create_task(function() return asyncio.current_task():get_name() end)
print(t1:get_name(), t2:get_name())
print(t2:await())
t1:await()
