-- a cancelled acquire() takes nothing: cancelled while waiting it leaves the count alone, cancelled just after release() woke it the unit goes to the next waiter
local asyncio = require "asyncio"

local s = asyncio.Semaphore(0)
local function taker(name) s:acquire() print(name .. " acquired") end
local a = asyncio.create_task(taker, "a")
local b = asyncio.create_task(taker, "b")
local c = asyncio.create_task(taker, "c")
asyncio.sleep(0)
a:cancel()
local ok, e = pcall(a.await, a)
print("a", ok, e.name, "locked", s:locked())
s:release()
b:cancel()
ok, e = pcall(b.await, b)
print("b", ok, e.name)
c:await()
print("locked", s:locked())
s:release()
print("locked", s:locked())
ok, e = pcall(asyncio.wait_for, function() s:acquire() s:acquire() end, 0.01)
print(ok, e.name, "locked", s:locked())
s:release()
print("locked", s:locked())
