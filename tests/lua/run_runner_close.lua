-- lua-only
-- Runner as a <close> variable: leaving the block closes it, cancelling leftover tasks (their cleanup runs); run() after close is an error
local asyncio = require "asyncio"

local saved
do
  local r <close> = asyncio.Runner()
  saved = r
  r:run(function()
    asyncio.create_task(function()
      local ok, e = pcall(asyncio.sleep, 10)
      print("leftover cancelled", asyncio.CancelledError:is(e))
    end)
    asyncio.sleep(0)
  end)
  print("leaving block")
end
print("after block")
print(pcall(saved.run, saved, function() end) == false)
