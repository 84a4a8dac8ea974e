-- queue workload for luv: 1,000,000 integers through luvsched's bounded queue (100), producer and consumer coroutines.
package.path = arg[0]:gsub("[^/]+/[^/]+$", "?.lua") .. ";" .. package.path
local sched = require "luvsched"

local N = 1000000

local q = sched.queue(100)
sched.spawn(function()
  local producer = sched.spawn(function()
    for i = 1, N do q:put(i) end
  end)
  local sum = 0
  for _ = 1, N do sum = sum + q:get() end
  sched.gather({producer})
  print(sum)
end)
sched.run()
