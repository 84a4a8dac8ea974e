-- a task cancelled while waiting in get() takes no item and leaves no waiter behind: the next item goes to the next get
local asyncio = require "asyncio"

local q = asyncio.Queue()
local t = asyncio.create_task(function() return q:get() end)
asyncio.sleep(0)
t:cancel()
local ok, e = pcall(t.await, t)
print(ok, e.name, t:cancelled())
q:put_nowait("item")
print(q:qsize(), q:get_nowait(), q:qsize())
-- a getter woken by put_nowait and cancelled before it ran passes the item on to the getter behind it
local a = asyncio.create_task(function() return q:get() end)
local b = asyncio.create_task(function() return q:get() end)
asyncio.sleep(0)
q:put_nowait("x")
a:cancel()
ok, e = pcall(a.await, a)
print("a", ok, e.name, a:cancelled())
print("b", b:await())
print("qsize", q:qsize())
