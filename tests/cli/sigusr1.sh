# SIGUSR1 dumps every task (its name among other things) to stderr and aiod goes on
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local t = asyncio.create_task(function() asyncio.sleep(10) end):set_name("sleeper-task")
asyncio.sleep(0.01)
print("ready")
io.stdout:flush()
pcall(t.await, t)
print("still running after dump")
LUA
start s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
kill -USR1 "$BG"
wait_for_text "$ERR" sleeper-task || { finish 1; fail "no task dump naming sleeper-task on stderr"; }
kill -0 "$BG" 2>/dev/null || { finish 1; fail "aiod exited after SIGUSR1"; }
kill -TERM "$BG"
finish 3
expect_rc 143
