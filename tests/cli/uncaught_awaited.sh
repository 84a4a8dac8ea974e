# an uncaught error that came out of an awaited task (two deep, or through gather) names each task and keeps its frames, innermost first; exit 1
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local function worker()
  asyncio.sleep(0)
  error("worker broke")
end
local function middle()
  return asyncio.create_task(worker):set_name("w"):await()
end
local t = asyncio.create_task(middle):set_name("m")
t:await()
LUA
run s.lua
expect_rc 1
stderr_has "aiod: s.lua:4: worker broke"
stderr_has "stack traceback of task 'w':"
stderr_has "	s.lua:4: in function <s.lua:2>"
stderr_has "awaited by task 'm':"
stderr_has "	s.lua:7: in function <s.lua:6>"
stderr_has "awaited by task 'main':"
stderr_has "	s.lua:10: in main chunk"
[ "$(grep -n "task 'w'" "$ERR" | cut -d: -f1)" -lt "$(grep -n "task 'm'" "$ERR" | cut -d: -f1)" ] ||
	fail "the awaited task's frames should come first"

script gather.lua <<'LUA'
local asyncio = require "asyncio"
local function worker(n)
  asyncio.sleep(0)
  if n == 2 then error("worker " .. n .. " broke") end
end
asyncio.gather(asyncio.create_task(worker, 1), asyncio.create_task(worker, 2):set_name("two"))
LUA
run gather.lua
expect_rc 1
stderr_has "aiod: gather.lua:4: worker 2 broke"
stderr_has "stack traceback of task 'two':"
stderr_has "	gather.lua:4: in function <gather.lua:2>"
stderr_has "awaited by task 'main':"
stderr_has "	gather.lua:6: in main chunk"
