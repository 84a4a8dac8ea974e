-- both
-- Awaiting a used coroutine object raises Python's "cannot reuse already awaited coroutine" with no position; through wait_for or shield it pointed into asyncio's own Lua parts (tasks.lua:126, asyncio.lua:154)
local asyncio = require "asyncio"
local work = asyncio.async(function(x) return x end)

asyncio.run(function()
  local c = work(1)
  print(c:await())
  print(pcall(c.await, c))
  print(pcall(asyncio.wait_for, c, 1))
  print(pcall(asyncio.shield, c))
  print(pcall(asyncio.create_task, c))
end)
