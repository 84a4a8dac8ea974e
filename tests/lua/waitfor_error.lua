-- an error of the awaited function passes through wait_for unchanged
local asyncio = require "asyncio"

local err = {}
local ok, e = pcall(asyncio.wait_for, function() asyncio.sleep(0) error(err) end, 1)
print(ok, rawequal(e, err))
