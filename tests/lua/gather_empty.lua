-- gather with no awaitables returns an empty list at once
local asyncio = require "asyncio"

local r = asyncio.gather()
print(r.n, #r)
r = asyncio.gather({return_exceptions = true})
print(r.n, #r)
