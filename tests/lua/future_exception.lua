-- set_exception: awaiters get the very same error value; exception() returns it and result() re-raises it
local asyncio = require "asyncio"

local err = {code = 9}
local fut = asyncio.Future()
asyncio.get_running_loop():call_soon(fut.set_exception, fut, err)
local ok, e = pcall(fut.await, fut)
print(ok, rawequal(e, err), e.code)
print(rawequal(fut:exception(), err))
ok, e = pcall(fut.result, fut)
print(ok, rawequal(e, err))
print(fut:done(), fut:cancelled(), tostring(fut))
