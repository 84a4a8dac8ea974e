-- both
-- sleep(delay, result) returns result (the same value) after the delay
local asyncio = require "asyncio"

asyncio.run(function()
  print(asyncio.sleep(0.01, "value"))
  print(asyncio.sleep(0, 42))
  local t = {}
  print(rawequal(asyncio.sleep(0, t), t))
end)
