-- both
-- asyncio.run(fn, ...) passes the arguments to fn and returns all of fn's results
local asyncio = require "asyncio"

local function main(a, b)
  asyncio.sleep(0.01)
  return a + b, "x", nil, true
end

local r = table.pack(asyncio.run(main, 2, 3))
print(r.n, r[1], r[2], r[3], r[4])
