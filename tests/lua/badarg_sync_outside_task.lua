-- outside a task (in a loop callback) a queue get, lock acquire or event wait that would have to wait raises "attempt to suspend outside a task"; set() and the _nowait forms work
local asyncio = require "asyncio"

local loop = asyncio.get_running_loop()
local q = asyncio.Queue()
local lock = asyncio.Lock()
local ev = asyncio.Event()
lock:acquire()
local function check(name, f)
  local ok, e = pcall(f)
  print(name, ok, tostring(e):find("attempt to suspend outside a task", 1, true) ~= nil)
end
loop:call_soon(function()
  check("get", function() return q:get() end)
  check("acquire", function() return lock:acquire() end)
  check("wait", function() return ev:wait() end)
  q:put_nowait("from callback")
end)
loop:call_later(0.01, function() ev:set() end)
print("main waits", ev:wait())
print(q:get_nowait(), lock:locked())
lock:release()
