# an error in one task does not stop the others; nobody retrieved it, so stderr says "Task exception was never retrieved"; exit 0
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.create_task(function() error("task A failed") end):set_name("A")
asyncio.create_task(function() asyncio.sleep(0.02) print("B done") end)
LUA
run s.lua
expect_rc 0
expect_stdout "B done"
stderr_has "Task exception was never retrieved"
stderr_has "task A failed"
