-- to_thread workload for aiod: 10,000 sequential asyncio.to_thread calls of a trivial function, each awaited before the next; prints the final value.
local asyncio = require "asyncio"

local N = 10000

local function inc(x) return x + 1 end

local x = 0
for _ = 1, N do
  x = asyncio.to_thread(inc, x)
end
print(x)
