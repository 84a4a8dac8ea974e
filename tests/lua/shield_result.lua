-- shield(aw) returns aw's result and passes its error through unchanged
local asyncio = require "asyncio"

print(asyncio.shield(function() asyncio.sleep(0) return "shielded" end))
local err = {}
local ok, e = pcall(asyncio.shield, function() asyncio.sleep(0) error(err) end)
print(ok, rawequal(e, err))
local coro = asyncio.async(function(x) asyncio.sleep(0) return x end)
print(asyncio.shield(coro("coroutine")))
