-- guard() suspends while another task holds the lock and takes it in FIFO order; cancelled while waiting, the task never enters its block and releases nothing
local asyncio = require "asyncio"

local lock = asyncio.Lock()
lock:acquire()
local entered = false
local function user(name)
  local _ <close> = lock:guard()
  if name == "t" then entered = true end
  print(name .. " inside", lock:locked())
  asyncio.sleep(0)
end
local t = asyncio.create_task(user, "t")
local u = asyncio.create_task(user, "u")
local v = asyncio.create_task(user, "v")
asyncio.sleep(0.01)
t:cancel()
local ok, e = pcall(t.await, t)
print("t", ok, e.name, "entered", entered, "lock still held", lock:locked())
print("main releases")
lock:release()
u:await()
v:await()
print(lock:locked())
