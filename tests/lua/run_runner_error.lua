-- lua-only
-- Runner:run re-raises fn's error unchanged and the runner stays usable
local asyncio = require "asyncio"

local r <close> = asyncio.Runner()
print(pcall(r.run, r, function() asyncio.sleep(0) error("bad", 0) end))
print(r:run(function(x) asyncio.sleep(0) return x end, "still works"))
