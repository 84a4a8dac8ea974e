-- PriorityQueue gives the lowest first: {priority, data} tables by [1] (the very table comes back), plain numbers and strings by themselves
local asyncio = require "asyncio"

local q = asyncio.PriorityQueue()
local items = {{3, "three"}, {1, "one"}, {5, "five"}, {2, "two"}, {4, "four"}}
for _, it in ipairs(items) do q:put_nowait(it) end
print(q:qsize())
local first = q:get_nowait()
print(first[1], first[2], first == items[2])
while not q:empty() do
  local it = q:get_nowait()
  print(it[1], it[2])
end
local n = asyncio.PriorityQueue()
for _, v in ipairs({5, 3.5, -1, 10, 0, 2}) do n:put_nowait(v) end
local out = {}
while not n:empty() do out[#out + 1] = tostring(n:get_nowait()) end
print(table.concat(out, " "))
local s = asyncio.PriorityQueue()
for _, v in ipairs({"pear", "apple", "fig", "banana", "cherry"}) do s:put_nowait(v) end
out = {}
while not s:empty() do out[#out + 1] = s:get() end
print(table.concat(out, " "))
