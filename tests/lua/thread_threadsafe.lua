-- both
-- run_coroutine_threadsafe from a worker, loop:run_in_executor, and cancelling a task that waits on a thread
local asyncio = require "asyncio"

asyncio.run(function()
  local log = {}
  _G.record = function(x) log[#log + 1] = x end  -- the loop's globals, seen by tasks the worker starts

  -- a worker asks the loop to run a function as a task and waits for it
  print(asyncio.to_thread(function(n)
    local asyncio = require "asyncio"
    local h = asyncio.run_coroutine_threadsafe(function(x)
      local aio = require "asyncio"
      aio.sleep(0.01)
      record("task ran on the loop with " .. x)
      return x * 2, "second"
    end, n)
    local a, b = h:result()
    return a, b, h:done()
  end, 21))
  print(log[1])

  -- the task's error comes back to the worker, and from it to us
  print(pcall(asyncio.to_thread, function()
    local h = require("asyncio").run_coroutine_threadsafe(function() error("failed on the loop", 0) end)
    return h:result()
  end))
  -- result(timeout) gives up
  print(pcall(asyncio.to_thread, function()
    local h = require("asyncio").run_coroutine_threadsafe(function() require("asyncio").sleep(1) end)
    return h:result(0.05)
  end))
  -- only inside a worker
  print(pcall(asyncio.run_coroutine_threadsafe, function() end))

  -- run_in_executor gives a Task (a Future)
  local loop = asyncio.get_running_loop()
  local fut = loop:run_in_executor(nil, function(a, b) return a + b end, 2, 3)
  print("run_in_executor:", fut:await())
  print(pcall(function() local f = loop:run_in_executor("pool", function() end) return f end))

  -- a cancelled waiter: the thread runs on, its results are dropped
  local t = asyncio.create_task(asyncio.to_thread, function() os.execute("sleep 0.1") return "late" end)
  asyncio.sleep(0.01)
  t:cancel()
  print("cancelled:", pcall(t.await, t), t:cancelled())
  -- the pool is still fine
  print(asyncio.to_thread(function() return "after" end))
end)
