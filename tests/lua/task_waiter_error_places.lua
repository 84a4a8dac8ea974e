-- both
-- Where a task keeps what it awaits and how it failed: a wait reached through nested frames is still
-- the one cancel() reaches, and a failed task hands out the very error object it raised, every time.
local asyncio = require "asyncio"

asyncio.run(function()
  -- A wait inside a pcall inside an awaited coroutine object: cancelling the task cancels that future.
  local fut = asyncio.get_running_loop():create_future()
  local inner = asyncio.async(function()
    local ok, err = pcall(asyncio.await, fut)
    return ok, err
  end)
  local t = asyncio.create_task(function() return asyncio.await(inner()) end)
  asyncio.sleep(0)
  print("waiting:", not t:done(), not fut:done())
  t:cancel("stop")
  asyncio.sleep(0)
  print("future cancelled:", fut:cancelled())
  asyncio.sleep(0)
  print("task done:", t:done(), t:cancelled())

  -- A failed task: the same error object from exception(), result() and an await, repeatedly.
  local boom = setmetatable({}, {__tostring = function() return "boom" end})
  local f = asyncio.create_task(function() asyncio.sleep(0); error(boom) end)
  local ok, err = pcall(asyncio.await, f)
  print("await raised it:", not ok, rawequal(err, boom))
  print("exception() twice:", rawequal(f:exception(), boom), rawequal(f:exception(), boom))
  local ok2, err2 = pcall(f.result, f)
  print("result() raised it:", not ok2, rawequal(err2, boom))

  -- A task that awaits a failed task, which itself awaited: the chain reports the first error.
  local g = asyncio.create_task(function() return asyncio.await(f) end)
  local ok3, err3 = pcall(asyncio.await, g)
  print("through another task:", not ok3, rawequal(err3, boom), rawequal(g:exception(), boom))

  -- A task that fails with a string error keeps it, with its position.
  local s = asyncio.create_task(function() error("plain") end)
  local ok4, err4 = pcall(asyncio.await, s)
  print("string error:", not ok4, tostring(err4):match("plain$") ~= nil, s:exception() == err4)

  -- Results beside: several values survive the task.
  local r = asyncio.create_task(function() asyncio.sleep(0) return 1, nil, 3 end)
  print("results:", asyncio.await(r))
  print("again:", r:result())
end)
