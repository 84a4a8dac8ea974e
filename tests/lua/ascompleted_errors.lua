-- as_completed also gives the tasks that failed; their errors are read with exception() or result()
local asyncio = require "asyncio"

local a = asyncio.create_task(function() asyncio.sleep(0.01) error("a failed", 0) end)
local b = asyncio.create_task(function() asyncio.sleep(0.03) return "b" end)
for t in asyncio.as_completed({a, b}) do
  local ok, v = pcall(t.result, t)
  print(ok, v)
end
