-- lock:guard() holds the Lock for the block and releases it when the block is left normally, by return, by an error (passed on unchanged) or by cancellation
local asyncio = require "asyncio"

local lock = asyncio.Lock()
do
  local _ <close> = lock:guard()
  print("inside", lock:locked())
end
print("after normal exit", lock:locked())
local function f()
  local _ <close> = lock:guard()
  return "returned", lock:locked()
end
print(f())
print("after return", lock:locked())
local err = {"my error"}
local ok, e = pcall(function()
  local _ <close> = lock:guard()
  print("inside", lock:locked())
  error(err)
end)
print("after error", lock:locked(), ok, e == err)
local t = asyncio.create_task(function()
  local _ <close> = lock:guard()
  print("task inside", lock:locked())
  asyncio.sleep(1)
end)
asyncio.sleep(0.01)
print("task holds it", lock:locked())
t:cancel()
ok, e = pcall(t.await, t)
print("after cancellation", lock:locked(), ok, e.name)
