-- parked workload for aiod: N (arg 1, default 100,000; 0 = the empty run) tasks all sleeping 1 s at once; prints N.
local asyncio = require "asyncio"

local N = math.tointeger(tonumber(arg[1])) or 100000

if N == 0 then
  asyncio.sleep(1)
  print(0)
else
  local tasks = {}
  for i = 1, N do
    tasks[i] = asyncio.create_task(asyncio.sleep, 1)
  end
  local res = asyncio.gather(table.unpack(tasks, 1, N))
  print(res.n)
end
