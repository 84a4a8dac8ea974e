-- a cancelled task: await, result() and exception() raise CancelledError; done() and cancelled() are true
local asyncio = require "asyncio"

local t = asyncio.create_task(function() asyncio.sleep(1) end)
asyncio.sleep(0)
print(t:cancel())
local ok, e = pcall(t.await, t)
print(ok, asyncio.CancelledError:is(e))
print(t:done(), t:cancelled())
ok, e = pcall(t.result, t)
print(ok, asyncio.CancelledError:is(e))
ok, e = pcall(t.exception, t)
print(ok, asyncio.CancelledError:is(e))
