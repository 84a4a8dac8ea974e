-- a task cancelled while waiting in acquire() never gets the lock; the waiter behind it still gets it when the holder releases
local asyncio = require "asyncio"

local lock = asyncio.Lock()
lock:acquire()
local a = asyncio.create_task(function() lock:acquire() print("a acquired") lock:release() end)
local b = asyncio.create_task(function() lock:acquire() print("b acquired") lock:release() end)
asyncio.sleep(0)
a:cancel()
local ok, e = pcall(a.await, a)
print("a", ok, e.name, "locked", lock:locked())
lock:release()
b:await()
print(lock:locked())
-- wait_for on acquire(): the timed-out acquire leaves the lock to its holder and to nobody else
lock:acquire()
ok, e = pcall(asyncio.wait_for, function() return lock:acquire() end, 0.01)
print(ok, e.name, lock:locked())
lock:release()
print(lock:locked())
