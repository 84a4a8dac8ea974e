-- parked workload for cqueues: N coroutines (arg 1, default 100,000; 0 = empty run) each cqueues.sleep(1) at once; prints N.
local cqueues = require "cqueues"

local N = math.tointeger(tonumber(arg[1])) or 100000

local cq = cqueues.new()
local done = 0
if N == 0 then
  cq:wrap(function() cqueues.sleep(1) end)
else
  for _ = 1, N do
    cq:wrap(function()
      cqueues.sleep(1)
      done = done + 1
    end)
  end
end
assert(cq:loop())
print(done)
