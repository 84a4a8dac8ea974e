-- startup workload for aiod: hello world through the event loop.
local asyncio = require "asyncio"
asyncio.sleep(0)
print("hello")
