-- create_task(fn, ...) passes the arguments to fn, nils included
local asyncio = require "asyncio"

local t = asyncio.create_task(function(...) return select('#', ...), ... end, "a", nil, 3)
print(t:await())
