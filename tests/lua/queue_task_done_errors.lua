-- task_done() called more often than items were put is a plain error "task_done() called too many times"; the count is by puts, not gets
local asyncio = require "asyncio"

local function check(q)
  local ok, e = pcall(q.task_done, q)
  print(ok, type(e), tostring(e):find("task_done() called too many times", 1, true) ~= nil)
end
local q = asyncio.Queue()
check(q)
q:put_nowait("a")
q:get_nowait()
q:task_done()
check(q)
q:put_nowait("b")
q:task_done()
check(q)
print(q:qsize(), q:get_nowait())
check(q)
q:join()
print("joined")
