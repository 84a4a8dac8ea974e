# a script's signal handler alone does not keep aiod running: the main chunk ends, aiod exits at once (as Python and Node do)
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.get_running_loop():add_signal_handler("USR2", function() print("usr2") end)
print("main done")
LUA
start s.lua
finish 2
[ "$FINISHED_IN_TIME" = 1 ] || fail "aiod kept running for its signal handler"
expect_rc 0
expect_stdout "main done"
