-- error objects are raised with error() and caught with pcall unchanged, also across a task boundary
local asyncio = require "asyncio"

local e = asyncio.TimeoutError("raised")
local ok, got = pcall(error, e)
print(ok, rawequal(got, e), got.message)
local t = asyncio.create_task(function() asyncio.sleep(0) error(e) end)
ok, got = pcall(t.await, t)
print(ok, rawequal(got, e), tostring(got))
