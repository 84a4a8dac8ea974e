-- when() is the deadline in loop time: timeout(d) gives now + d, timeout_at(w) gives w
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
do
  local before = loop:time()
  local t <close> = asyncio.timeout(0.5)
  local after = loop:time()
  print(t:when() >= before + 0.5, t:when() <= after + 0.5)
end
do
  local w = loop:time() + 0.5
  local t <close> = asyncio.timeout_at(w)
  print(math.abs(t:when() - w) < 1e-6)
end
