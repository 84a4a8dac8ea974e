-- a waiter woken by release() and cancelled before it ran passes the lock on to the next waiter: no lost wake-up
local asyncio = require "asyncio"

local lock = asyncio.Lock()
lock:acquire()
local a = asyncio.create_task(function() lock:acquire() print("a acquired") lock:release() end)
local b = asyncio.create_task(function() lock:acquire() print("b acquired") lock:release() end)
local c = asyncio.create_task(function() lock:acquire() print("c acquired") lock:release() end)
asyncio.sleep(0)
lock:release()
a:cancel()
local ok, e = pcall(a.await, a)
print("a", ok, e.name)
b:await()
c:await()
print(lock:locked())
