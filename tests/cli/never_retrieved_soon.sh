# a failed task nobody retrieved is reported within 2 s of being dropped, while the script goes on; one still held is not; the report does not hold the exit
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local held = asyncio.create_task(function() error("held error") end)
asyncio.create_task(function() asyncio.sleep(0) error("dropped error") end):set_name("dropper")
asyncio.sleep(5)
LUA
start s.lua
wait_for_text "$ERR" "dropped error" 2 || { kill -KILL "$BG"; fail "no report within 2 s"; }
kill -KILL "$BG"
wait "$BG" 2>/dev/null
stderr_has "Task exception was never retrieved"
stderr_has "<Task finished name='dropper'>: s.lua:3: dropped error"
stderr_has "stack traceback of task 'dropper':"
! grep -q "held error" "$ERR" || fail "a task still held was reported"

script exit.lua <<'LUA'
local asyncio = require "asyncio"
local held = asyncio.create_task(function() error("held error") end)
asyncio.sleep(0.05)
print("end")
LUA
run exit.lua
expect_rc 0
expect_stdout "end"
stderr_has "exit.lua:2: held error"
