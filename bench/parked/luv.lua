-- parked workload for luv: N coroutines (arg 1, default 100,000; 0 = empty run), each on its own 1 s uv timer at once.
package.path = arg[0]:gsub("[^/]+/[^/]+$", "?.lua") .. ";" .. package.path
local sched = require "luvsched"

local N = math.tointeger(tonumber(arg[1])) or 100000

sched.spawn(function()
  if N == 0 then
    sched.sleep(1)
    print(0)
    return
  end
  local tasks = {}
  for i = 1, N do tasks[i] = sched.spawn(sched.sleep, 1) end
  sched.gather(tasks)
  print(#tasks)
end)
sched.run()
