-- the synchronization primitives reject bad arguments in luaL_argerror style: Condition of a non-Lock, negative or non-number Semaphore values, Barrier parties
local asyncio = require "asyncio"

local function try(f)
  local ok, e = pcall(f)
  print(ok, (tostring(e):gsub("^[^:]+:%d+: ", "")))
end
try(function() asyncio.Condition(5) end)
try(function() asyncio.Condition("lock") end)
try(function() asyncio.Semaphore(-1) end)
try(function() asyncio.BoundedSemaphore(-1) end)
try(function() asyncio.Semaphore("x") end)
try(function() asyncio.Barrier(0) end)
try(function() asyncio.Barrier(-2) end)
try(function() asyncio.Barrier("x") end)
try(function() asyncio.Barrier() end)
print(asyncio.Semaphore(0):locked(), asyncio.Barrier(1).parties)
