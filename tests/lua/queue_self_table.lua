-- -- both
-- a queue is a table holding its methods; only the table a constructor made is that queue: a table given its metatable or its struct, or another queue's methods on it, act on the right one or raise; maxsize is read-only and a queue takes no new fields
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok, (tostring(e):gsub("^[^:]+:%d+: ", "")))
end
local a, b = asyncio.Queue(3), asyncio.LifoQueue()
print(type(a), rawget(a, "put") == b.put, a.maxsize, b.maxsize)
-- alternate between two queues: each call finds its own queue
for i = 1, 3 do a:put_nowait(i); b.put_nowait(b, -i) end
print(a.get_nowait(a), b.get_nowait(b), a:qsize(), b:qsize(), b.qsize(a))
-- a table with a queue's metatable, or its struct, is no queue
local mt = getmetatable(a)
local fake = setmetatable({}, mt)
try(function() a:qsize() return fake:put_nowait(1) end)
try(function() return a.qsize(setmetatable({}, {mt[1]})) end)
try(function() return a.qsize(mt[1]) end)
print(a:qsize(), a:get_nowait(), a:get_nowait())
-- assignments
try(function() a.maxsize = 10 end)
try(function() b.extra = 1 end)
print(a.maxsize, b.extra)
-- a method taken off the queue is still found, as a class's after an instance's is deleted
rawset(a, "qsize", nil)
print(rawget(a, "qsize"), a:qsize(), b.qsize == a.qsize)
