-- set_result / set_exception on a done Future raise InvalidStateError; cancel() of a done Future returns false
local asyncio = require "asyncio"

local fut = asyncio.Future()
fut:set_result(1)
local ok, e = pcall(fut.set_result, fut, 2)
print(ok, asyncio.InvalidStateError:is(e))
ok, e = pcall(fut.set_exception, fut, "x")
print(ok, asyncio.InvalidStateError:is(e))
print(fut:cancel(), fut:result())
local c = asyncio.Future()
print(c:cancel())
ok, e = pcall(c.set_result, c, 1)
print(ok, asyncio.InvalidStateError:is(e))
