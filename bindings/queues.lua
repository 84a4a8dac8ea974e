-- queues.lua -- Queue, PriorityQueue, LifoQueue: made in C (l_queue.c); this lazy part only names them
local M, C = ...

local made = C.open_queue()
M.Queue, M.PriorityQueue, M.LifoQueue = made.Queue, made.PriorityQueue, made.LifoQueue

-- Every queue's methods are the same functions: named once, so a bad call
-- through pcall(q.put, ...) names 'asyncio.Queue.put'.
local q, methods = made.Queue(), {}
local mt = getmetatable(q)
for k, v in pairs(q) do
  if type(v) == "function" then methods[k] = v end
end
C.name_methods("asyncio.Queue", methods)
C.name_methods("asyncio.Queue metatable", {__tostring = mt.__tostring, __newindex = mt.__newindex})
