-- startup workload for cqueues: hello world through the event loop.
local cqueues = require "cqueues"
local cq = cqueues.new()
cq:wrap(function()
  cqueues.sleep(0)
  print("hello")
end)
assert(cq:loop())
