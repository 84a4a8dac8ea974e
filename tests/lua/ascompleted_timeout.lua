-- past the timeout the as_completed iterator raises TimeoutError; unfinished tasks are not cancelled
local asyncio = require "asyncio"

local fast = asyncio.create_task(function() asyncio.sleep(0.01) return "fast" end)
local slow = asyncio.create_task(function() asyncio.sleep(0.2) return "slow" end)
local ok, e = pcall(function()
  for t in asyncio.as_completed({fast, slow}, {timeout = 0.03}) do
    print("got", t:result())
  end
end)
print(ok, e.name)
print(slow:cancelled(), slow:done())
slow:cancel()
