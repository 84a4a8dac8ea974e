-- PriorityQueue: items of equal priority come out in insertion order, and their data (here tables, which Lua cannot compare) is never compared
local asyncio = require "asyncio"

local q = asyncio.PriorityQueue()
for i = 1, 15 do
  q:put_nowait({(i * 7) % 3, {id = i}})
end
local out = {}
while not q:empty() do
  local it = q:get_nowait()
  out[#out + 1] = it[1] .. ":" .. it[2].id
end
print(table.concat(out, " "))
-- interleaved puts and gets keep the order too
q:put_nowait({1, {id = "a"}})
q:put_nowait({0, {id = "b"}})
q:put_nowait({1, {id = "c"}})
print(q:get_nowait()[2].id)
q:put_nowait({1, {id = "d"}})
q:put_nowait({0, {id = "e"}})
out = {}
while not q:empty() do out[#out + 1] = q:get_nowait()[2].id end
print(table.concat(out, " "))
