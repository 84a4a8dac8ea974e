-- both
-- Every method of the Lua-written classes checks its self (issue 11, defect 20): no internal
-- error and no touching another object's fields, worded as luaL_checkudata words it.
local asyncio = require "asyncio"

local function try(f, ...)
  local ok, err = pcall(f, ...)
  print(ok, err)
end

asyncio.run(function()
  local ev, sem, bsem = asyncio.Event(), asyncio.Semaphore(), asyncio.BoundedSemaphore()
  local lock, cond, barrier = asyncio.Lock(), asyncio.Condition(), asyncio.Barrier(2)
  -- Called through pcall: nothing names the function at the call site.
  try(sem.release, ev)
  try(sem.acquire, {})
  try(sem.locked, lock)
  try(sem.guard, 1)
  try(bsem.release, sem)
  try(lock.locked, ev)
  try(lock.guard, cond)
  try(ev.is_set, sem)
  try(ev.clear, nil)
  try(cond.acquire, lock)
  try(cond.release, lock)
  try(cond.locked, lock)
  try(barrier.wait, ev)
  try(barrier.reset, {})
  try(barrier.abort, 5)
  try(getmetatable(sem).__tostring, ev)
  try(getmetatable(barrier).__tostring, sem)
  local t <close> = asyncio.timeout(nil)
  try(t.when, ev)
  try(t.reschedule, sem, 1)
  try(t.expired, 1)
  try(getmetatable(t).__close, ev)
  local tg <close> = asyncio.TaskGroup()
  try(getmetatable(tg).__close, ev)
  try(getmetatable(tg).__tostring, 1)
  local r = asyncio.Runner()
  try(r.get_loop, ev)
  try(r.close, ev)
  try(getmetatable(r).__close, ev)
  -- A BoundedSemaphore is a Semaphore; a Semaphore is not bounded.
  print(pcall(sem.release, bsem))
  -- Called directly and as a method: the caller's line, and luaL_argerror's words for a bad self.
  try(function() sem.release(ev) end)
  try(function() local x = setmetatable({}, {__index = sem}) x:release() end)
  try(function() lock.acquire(sem) end)
  try(function() local x = setmetatable({}, {__index = lock}) x:release() end)
  try(function() bsem.release(ev) end)
  try(function() sem.acquire(lock) end)
  -- The objects were not touched.
  print(ev:is_set(), sem:locked(), bsem:locked())
end)
