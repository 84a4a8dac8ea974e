-- release() of a Lock that is not locked is a plain error "Lock is not acquired."; the lock works normally afterwards
local asyncio = require "asyncio"

local lock = asyncio.Lock()
local function rel()
  local ok, e = pcall(lock.release, lock)
  print(ok, type(e), tostring(e):find("Lock is not acquired.", 1, true) ~= nil)
end
rel()
lock:acquire()
lock:release()
rel()
print(lock:locked(), lock:acquire(), lock:locked())
lock:release()
print(lock:locked())
