-- spawn workload for cqueues: 100,000 coroutines (cq:wrap) each sleep(0) once and store their index; sum after cq:loop().
local cqueues = require "cqueues"

local N = 100000

local function work(i)
  cqueues.sleep(0)
  return i
end

local cq = cqueues.new()
local res = {}
for i = 1, N do
  cq:wrap(function() res[i] = work(i) end)
end
assert(cq:loop())

local sum = 0
for i = 1, N do
  sum = sum + res[i]
end
print(sum)
