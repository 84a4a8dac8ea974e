-- both
-- port of the seed's to_thread example: gather(to_thread(blocking_io), sleep) takes one delay, not two (0.3 s instead of 1)
local asyncio = require "asyncio"
local loop_time

local function blocking_io()
  -- runs in a worker thread, in its own Lua state: os.execute blocks it
  print("start blocking_io")
  os.execute("sleep 0.3")
  print("blocking_io complete")
end

local function main()
  local started = loop_time()
  print("started main")

  asyncio.gather(
    function() asyncio.to_thread(blocking_io) end,
    function() asyncio.sleep(0.3) end)

  local took = loop_time() - started
  print("finished main", took >= 0.3 and took < 0.55)
end

loop_time = function() return asyncio.get_running_loop():time() end
asyncio.run(main)
