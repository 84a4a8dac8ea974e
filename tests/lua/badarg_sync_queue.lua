-- the queues reject bad arguments in luaL_argerror style: nil or missing items (before any waiting) and a maxsize that is not a number
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok, (tostring(e):gsub("^[^:]+:%d+: ", "")))
end
local q = asyncio.Queue()
try(function() q:put(nil) end)
try(function() q:put() end)
try(function() q:put_nowait(nil) end)
try(function() q:put_nowait() end)
local full = asyncio.Queue(1)
full:put_nowait(1)
try(function() full:put(nil) end)
try(function() asyncio.PriorityQueue():put(nil) end)
try(function() asyncio.LifoQueue():put_nowait(nil) end)
try(function() asyncio.Queue("x") end)
try(function() asyncio.PriorityQueue("x") end)
try(function() asyncio.LifoQueue({}) end)
print(q:qsize(), full:qsize())
-- self must be a queue: a plain call names argument #1, a method call on something else the bad self
try(function() q.put(5, 1) end)
try(function() q.get({}) end)
try(function() q.qsize() end)
try(function() local t = {join = q.join}; t:join() end)
try(function() q.get_nowait(io.stdout) end)
