# aiod keeps running after the main chunk returned until its tasks are done, then exits 0
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.create_task(function() asyncio.sleep(0.05) print("task done") end)
print("main done")
LUA
run s.lua
expect_rc 0
expect_stdout "main done" "task done"
