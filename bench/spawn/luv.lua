-- spawn workload for luv: 100,000 coroutines on a minimal libuv scheduler each sleep(0) once; gathered, print the sum.
package.path = arg[0]:gsub("[^/]+/[^/]+$", "?.lua") .. ";" .. package.path
local sched = require "luvsched"

local N = 100000

local function work(i)
  sched.sleep0()
  return i
end

sched.spawn(function()
  local tasks = {}
  for i = 1, N do tasks[i] = sched.spawn(work, i) end
  local res = sched.gather(tasks)
  local sum = 0
  for i = 1, N do sum = sum + res[i] end
  print(sum)
end)
sched.run()
