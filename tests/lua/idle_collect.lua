-- both
-- What becomes garbage while the loop is quiet (a burst's connections
-- ending) is collected once the loop has slept a moment: the collector by
-- itself waits for allocation that an idle daemon never makes. A collector
-- the script stopped stays stopped.
local asyncio = require "asyncio"

local function burst(n)
  local t = {}
  for i = 1, n do t[i] = ("x"):rep(4096) .. i end
  return t
end

asyncio.run(function()
  local live = burst(2000)	-- 8 MB
  collectgarbage()	-- the next cycle is due at twice this
  live = nil
  local before = collectgarbage("count")
  asyncio.sleep(0.4)
  local after = collectgarbage("count")
  print("garbage counted", before > 8000, "collected while quiet", after < 2048)

  collectgarbage("stop")
  live = burst(1000)
  live = nil
  asyncio.sleep(0.4)
  print("stopped collector kept stopped", collectgarbage("count") > 4000)
  collectgarbage("restart")
end)
