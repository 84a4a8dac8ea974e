-- awaiting a task returns every value its function returned (nils included); result() and asyncio.await do the same
local asyncio = require "asyncio"

local t = asyncio.create_task(function() return "a", nil, "c" end)
local r = table.pack(t:await())
print(r.n, r[1], r[2], r[3])
local r2 = table.pack(t:result())
print(r2.n, r2[1], r2[3])
local r3 = table.pack(asyncio.await(t))
print(r3.n, r3[3])
