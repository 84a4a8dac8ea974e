-- aiod: the integer the main chunk returns becomes the exit code (after its tasks are done)
local asyncio = require "asyncio"

asyncio.create_task(function() asyncio.sleep(0.01) print("task done") end)
print("main returns 3")
return 3
