-- a PriorityQueue put whose priority cannot be compared with those queued raises an error naming both priorities' types (not Lua's bare 'attempt to compare') and leaves the queue as it was
local asyncio = require "asyncio"

local q = asyncio.PriorityQueue()
for _, p in ipairs({5, 2, 8, 1, 9, 3}) do q:put_nowait({p, "p" .. p}) end
local ok, err = pcall(q.put_nowait, q, {"x", "string priority"})
print(ok, (tostring(err):gsub("^[^:]+:%d+: ", "")))
ok, err = pcall(q.put, q, "plain string")
print(ok, (tostring(err):gsub("^[^:]+:%d+: ", "")))
print(q:qsize())
local out = {}
while not q:empty() do out[#out + 1] = q:get_nowait()[2] end
print(table.concat(out, " "))
q:put_nowait("a")
q:put_nowait("b")
print(pcall(q.put_nowait, q, 1), q:get_nowait(), q:get_nowait())
-- a table priority without __lt is refused the same way; one with __lt is compared by it
q:put_nowait("c")
print(pcall(q.put_nowait, q, {}))
local mt = {__lt = function(a, b) return a.v < b.v end}
local q2 = asyncio.PriorityQueue()
q2:put_nowait(setmetatable({v = 2}, mt))
q2:put_nowait(setmetatable({v = 1}, mt))
print(q2:get_nowait().v, q2:get_nowait().v)
