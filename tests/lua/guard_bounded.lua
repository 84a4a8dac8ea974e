-- BoundedSemaphore:guard() releases exactly once on normal exit, error and cancellation: a further release() is "released too many times"
local asyncio = require "asyncio"

local b = asyncio.BoundedSemaphore(1)
local function extra_release()
  local ok, e = pcall(b.release, b)
  print("extra release", ok, tostring(e):find("BoundedSemaphore released too many times", 1, true) ~= nil)
end
do
  local _ <close> = b:guard()
  print("inside", b:locked())
end
print("after normal exit", b:locked())
extra_release()
local ok, e = pcall(function()
  local _ <close> = b:guard()
  error("boom", 0)
end)
print("after error", b:locked(), ok, e)
extra_release()
local t = asyncio.create_task(function()
  local _ <close> = b:guard()
  asyncio.sleep(1)
end)
asyncio.sleep(0.01)
print("task holds it", b:locked())
t:cancel()
ok, e = pcall(t.await, t)
print("after cancellation", b:locked(), ok, e.name)
extra_release()
