-- an ordinary error leaving a timeout block passes through unchanged and the deadline is dropped
local asyncio = require "asyncio"

local err = {}
local ok, e = pcall(function()
  local cm <close> = asyncio.timeout(0.02)
  asyncio.sleep(0)
  error(err)
end)
print(ok, rawequal(e, err))
asyncio.sleep(0.04)
print("not cancelled later")
