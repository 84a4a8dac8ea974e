-- result() and exception() of a pending Future raise InvalidStateError
local asyncio = require "asyncio"

local fut = asyncio.Future()
local ok, e = pcall(fut.result, fut)
print(ok, asyncio.InvalidStateError:is(e), e.name)
ok, e = pcall(fut.exception, fut)
print(ok, asyncio.InvalidStateError:is(e))
