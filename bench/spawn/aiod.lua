-- spawn workload for aiod: 100,000 tasks each sleep(0) once and return their index; gather them, print the sum.
local asyncio = require "asyncio"

local N = 100000

local function work(i)
  asyncio.sleep(0)
  return i
end

local tasks = {}
for i = 1, N do
  tasks[i] = asyncio.create_task(work, i)
end
local res = asyncio.gather(table.unpack(tasks, 1, N))

local sum = 0
for i = 1, res.n do
  sum = sum + res[i]
end
print(sum)
