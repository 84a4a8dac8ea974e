-- inside a running loop (aiod's main task) asyncio.run runs fn as a new task, waits for it and returns its results (no Python twin: Python forbids this)
local asyncio = require "asyncio"

local main = asyncio.current_task()
local inner
local a, b = asyncio.run(function(x)
  inner = asyncio.current_task()
  asyncio.sleep(0.01)
  return x * 2, "y"
end, 21)
print(a, b)
print(main:get_name(), inner ~= main, inner:done())
