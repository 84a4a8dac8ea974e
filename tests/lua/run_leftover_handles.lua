-- lua-only
-- closing a loop releases the callbacks still scheduled on it (a call_later left by asyncio.run used to stay anchored forever)
local asyncio = require "asyncio"

local function runs(n)
  for _ = 1, n do
    asyncio.run(function()
      local loop = asyncio.get_running_loop()
      loop:call_later(3600, function() end, string.rep("x", 1000))
      loop:call_soon(function() end)
    end)
  end
end

runs(50)	-- let tables and the pool settle first
collectgarbage()
collectgarbage()
local before = collectgarbage("count")
runs(500)
collectgarbage()
collectgarbage()
local growth = (collectgarbage("count") - before) * 1024 / 500
print("memory kept per run below 100 bytes:", growth < 100)
