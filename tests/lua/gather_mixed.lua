-- gather accepts Tasks, Futures, coroutine objects and plain functions together
local asyncio = require "asyncio"

local fut = asyncio.Future()
asyncio.get_running_loop():call_later(0.01, function() fut:set_result("future") end)
local task = asyncio.create_task(function() return "task" end)
local coro = asyncio.async(function(x) asyncio.sleep(0) return x end)
local r = asyncio.gather(task, fut, coro("coroutine"), function() return "function" end)
print(r.n, r[1], r[2], r[3], r[4])
