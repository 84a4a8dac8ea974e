-- set_result(...) keeps every value: await and result() return them all, nils included (no Python twin: Lua multiple values)
local asyncio = require "asyncio"

local fut = asyncio.Future()
fut:set_result(1, nil, 3)
local r = table.pack(fut:await())
print(r.n, r[1], r[2], r[3])
print(select('#', fut:result()))
