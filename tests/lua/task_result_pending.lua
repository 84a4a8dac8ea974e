-- result() and exception() of a task that is not done raise InvalidStateError; after success exception() is nil
local asyncio = require "asyncio"

local t = asyncio.create_task(function() asyncio.sleep(0.01) return 1 end)
local ok, e = pcall(t.result, t)
print(ok, asyncio.InvalidStateError:is(e), e.name)
ok, e = pcall(t.exception, t)
print(ok, asyncio.InvalidStateError:is(e))
print(t:await(), t:result(), t:exception() == nil)
