# --debug warns on stderr (naming the task) when a task runs over 100 ms without suspending; without --debug nothing is printed
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local t = asyncio.create_task(function()
  local t0 = os.clock()
  while os.clock() - t0 < 0.15 do end
end):set_name("cpu-hog")
t:await()
print("done")
LUA
run --debug s.lua
expect_rc 0
expect_stdout "done"
stderr_has cpu-hog
run s.lua
expect_rc 0
expect_stdout "done"
expect_stderr_empty
