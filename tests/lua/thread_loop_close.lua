-- lua-only
-- (under aiod, asyncio.run does not close the loop) A loop closing with work still out: an abandoned lookup, a worker waiting on the loop, a cancelled to_thread; nothing hangs or leaks
local asyncio = require "asyncio"

asyncio.run(function()
  -- a worker blocked in result() on a task that never ends by itself
  asyncio.create_task(asyncio.to_thread, function()
    local h = require("asyncio").run_coroutine_threadsafe(function() require("asyncio").sleep(30) end)
    return h:result()
  end)
  -- a lookup given up on
  local lookup = asyncio.create_task(asyncio.open_connection, "localhost.invalid", 80)
  asyncio.sleep(0)
  lookup:cancel()
  pcall(lookup.await, lookup)
  print("main returns with work still out")
end)
print("the loop closed")

-- a second run: the pool and the mailbox are made anew
print(asyncio.run(function() return asyncio.to_thread(function() return "again" end) end))
