-- a coroutine object runs inside the awaiting task; a plain function given to await runs in a new task
local asyncio = require "asyncio"

local main = asyncio.current_task()
local f = asyncio.async(function(x)
  asyncio.sleep(0)
  return x + 1, asyncio.current_task() == main
end)
print(f(1):await())
print(asyncio.await(f(10)))
print(asyncio.await(function() asyncio.sleep(0) return "plain", asyncio.current_task() == main end))
