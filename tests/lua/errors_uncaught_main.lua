-- aiod: an uncaught error in the main chunk ends aiod with exit code 1 (traceback on stderr); output so far is kept
local asyncio = require "asyncio"

print("before")
asyncio.sleep(0.01)
error("fatal")
