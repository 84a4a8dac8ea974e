-- both
-- port of the wait_for example: eternity() times out (timeout 0.01 s instead of 1) and main prints "timeout!"
local asyncio = require "asyncio"

local eternity = asyncio.async(function()
  -- Sleep for one hour
  asyncio.sleep(3600)
  print("yay!")
end)

local function main()
  -- Wait for at most 0.01 second
  local ok, e = pcall(asyncio.wait_for, eternity(), 0.01)
  if not ok then
    if asyncio.TimeoutError:is(e) then print("timeout!") else error(e, 0) end
  end
end

asyncio.run(main)
