-- the first failing task cancels the other tasks and the block; leaving raises ExceptionGroup with the error in exceptions
local asyncio = require "asyncio"

local slow, slow_saw, block_saw
local ok, e = pcall(function()
  local tg <close> = asyncio.TaskGroup()
  slow = tg:create_task(function()
    local ok, err = pcall(asyncio.sleep, 1)
    slow_saw = err.name
    error(err)
  end)
  tg:create_task(function() asyncio.sleep(0.01) error("task failed", 0) end)
  local ok2, e2 = pcall(asyncio.sleep, 1)
  block_saw = e2.name
  error(e2)
end)
print("slow task got", slow_saw)
print("block got", block_saw)
print(ok, e.name, asyncio.ExceptionGroup:is(e))
print(#e.exceptions, e.exceptions[1])
print(slow:cancelled(), asyncio.current_task():cancelling())
