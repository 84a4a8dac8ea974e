# an uncaught ExceptionGroup prints each error it holds with its task and frames, nested groups indented as a tree; exit 1
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local function inner()
  local tg <close> = asyncio.TaskGroup()
  tg:create_task(function() asyncio.sleep(0) error("deep") end)
end
do
  local tg <close> = asyncio.TaskGroup()
  tg:create_task(function() asyncio.sleep(0) error("boom one") end)
  tg:create_task(function() asyncio.sleep(0) error(asyncio.QueueEmpty("empty!")) end)
  tg:create_task(inner):set_name("inner")
end
LUA
run s.lua
expect_rc 1
stderr_has "aiod: ExceptionGroup: unhandled errors in a TaskGroup (3 sub-exceptions)"
stderr_has "	s.lua:10: in main chunk"
stderr_has "+-+---------------- 1 ----------------"
stderr_has "  | s.lua:8: boom one"
stderr_has "  | stack traceback of task 'Task-1':"
stderr_has "  | 	s.lua:8: in function <s.lua:8>"
stderr_has "  +---------------- 2 ----------------"
stderr_has "  | QueueEmpty: empty!"
stderr_has "  | 	s.lua:9: in function <s.lua:9>"
stderr_has "  | ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)"
stderr_has "  | stack traceback of task 'inner':"
stderr_has "  |   | s.lua:4: deep"
stderr_has "  |   | 	s.lua:4: in function <s.lua:4>"
