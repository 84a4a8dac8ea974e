-- both
-- asyncio.run re-raises the main function's error value unchanged (tables by identity, strings as they are)
local asyncio = require "asyncio"

local err = {code = 7}
local ok, e = pcall(asyncio.run, function() asyncio.sleep(0.01) error(err) end)
print(ok, rawequal(e, err), e.code)

ok, e = pcall(asyncio.run, function() error("plain", 0) end)
print(ok, e)

ok, e = pcall(asyncio.run, function() asyncio.sleep(0) error(asyncio.TimeoutError("late")) end)
print(ok, asyncio.TimeoutError:is(e), tostring(e))
