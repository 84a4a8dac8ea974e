-- lua-only
-- Runner:run and asyncio.run outside a loop with 10,000 arguments and results
-- (under stock lua5.4, 50 arguments crashed)
local asyncio = require "asyncio"

local N = 10000
local t = {}
for i = 1, N do t[i] = i end
local function count(...) return select("#", ...), (select(-1, ...)) end

print("run", asyncio.run(count, table.unpack(t, 1, N)))
print("run results", count(asyncio.run(function() return table.unpack(t, 1, N) end)))
local r <close> = asyncio.Runner()
print("Runner:run", r:run(count, table.unpack(t, 1, N)))
print("Runner:run results", count(r:run(function() return table.unpack(t, 1, N) end)))
local af = asyncio.async(count)
print("Runner:run coroutine", r:run(af(table.unpack(t, 1, N))))
