-- queue workload for cqueues: 1,000,000 integers through a bounded queue (100) built on two cqueues.condition.
local cqueues = require "cqueues"
local condition = require "cqueues.condition"

local N, MAX = 1000000, 100

-- The queue: items[first..last], a condition for "not empty" and one for "not full".
local items, first, last = {}, 1, 0
local notempty, notfull = condition.new(), condition.new()

local function put(v)
  while last - first + 1 >= MAX do notfull:wait() end
  last = last + 1
  items[last] = v
  notempty:signal(1)
end

local function get()
  while last < first do notempty:wait() end
  local v = items[first]
  items[first] = nil
  first = first + 1
  notfull:signal(1)
  return v
end

local cq = cqueues.new()
local sum = 0
cq:wrap(function()
  for i = 1, N do put(i) end
end)
cq:wrap(function()
  for _ = 1, N do sum = sum + get() end
end)
assert(cq:loop())
print(sum)
