-- a failed task: await raises its error, result() re-raises it, exception() returns it; done() true, cancelled() false
local asyncio = require "asyncio"

local err = setmetatable({}, {__tostring = function() return "my error" end})
local t = asyncio.create_task(function() asyncio.sleep(0) error(err) end)
local ok, e = pcall(t.await, t)
print(ok, rawequal(e, err), tostring(e))
print(t:done(), t:cancelled())
ok, e = pcall(t.result, t)
print(ok, rawequal(e, err))
print(rawequal(t:exception(), err))
