-- both
-- A worker that gives up on run_coroutine_threadsafe (result with a timeout) and drops its handle
-- before the loop's task ends: the loop must not touch the freed request (ASan found it).
local asyncio = require "asyncio"

asyncio.run(function()
  local timeouts, answered = asyncio.to_thread(function(n)
    local asyncio = require "asyncio"
    local timeouts, answered = 0, 0
    for i = 1, n do
      local h = asyncio.run_coroutine_threadsafe(function(x) return x end, i)
      local ok, v = pcall(h.result, h, 0)
      if ok then answered = answered + 1 else timeouts = timeouts + 1 end
      h = nil
      if i % 16 == 0 then collectgarbage() end
    end
    return timeouts, answered
  end, 10000)
  print("calls", timeouts + answered, "some timed out", timeouts > 0)
  asyncio.sleep(0.01)  -- the last tasks end after the worker let go of them
end)
print("done")
