-- queue workload for aiod: a producer task puts 1,000,000 integers into asyncio.Queue(100); the top level gets and sums them.
local asyncio = require "asyncio"

local N = 1000000

local q = asyncio.Queue(100)
local producer = asyncio.create_task(function()
  for i = 1, N do q:put(i) end
end)

local sum = 0
for _ = 1, N do
  sum = sum + q:get()
end
producer:await()
print(sum)
