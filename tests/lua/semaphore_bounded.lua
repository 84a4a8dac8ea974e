-- BoundedSemaphore: release() above the start value is a plain error "BoundedSemaphore released too many times" and changes nothing
local asyncio = require "asyncio"

local b = asyncio.BoundedSemaphore(2)
local function rel(s)
  local ok, e = pcall(s.release, s)
  if ok then
    print("release ok")
  else
    print("release failed", type(e), tostring(e):find("BoundedSemaphore released too many times", 1, true) ~= nil)
  end
end
rel(b)
print(b:acquire(), b:acquire(), b:locked())
rel(b)
rel(b)
rel(b)
print(b:locked(), b:acquire(), b:acquire(), b:locked())
local d = asyncio.BoundedSemaphore()
print(d:locked(), d:acquire(), d:locked())
rel(d)
rel(d)
local w = asyncio.create_task(function() d:acquire() print("waiter acquired") end)
d:acquire()
asyncio.sleep(0)
rel(d)
w:await()
rel(d)
rel(d)
print(d:locked())
