-- both
-- port of the asyncio.run(main()) hello example (sleep 0.01 s instead of 1)
local asyncio = require "asyncio"

local function main()
  asyncio.sleep(0.01)
  print("hello")
end

asyncio.run(main)
