# --debug: a slow step's report shows where the task was running when it went over 100 ms, then where it suspended, or that it returned
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local function spin()
  local t0 = os.clock()
  while os.clock() - t0 < 0.15 do end
end
asyncio.create_task(function()
  spin()
  asyncio.sleep(0.01)
  spin()
end):set_name("cpu-hog"):await()
print("done")
LUA
run --debug s.lua
expect_rc 0
expect_stdout "done"
stderr_has "Executing <Task pending name='cpu-hog'> took"
stderr_has "it was running at:"
stderr_has "s.lua:7: in function <s.lua:6>"
stderr_has "s.lua:9: in function <s.lua:6>"
stderr_has "then suspended at:"
stderr_has "s.lua:8: in function <s.lua:6>"
stderr_has "then it returned"
