# SIGUSR1 dumps every task to stderr (name, state, what it waits on, generation, traceback) and aiod goes on
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local q = asyncio.Queue()
local t = asyncio.create_task(function() asyncio.sleep(10) end):set_name("sleeper-task")
asyncio.create_task(function() q:get() end):set_name("getter-task")
asyncio.sleep(0.01)
print("ready")
io.stdout:flush()
pcall(t.await, t)
print("still running after dump")
LUA
start s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
kill -USR1 "$BG"
wait_for_text "$ERR" getter-task || { finish 1; fail "no task dump naming getter-task on stderr"; }
sleep 0.1
kill -0 "$BG" 2>/dev/null || { finish 1; fail "aiod exited after SIGUSR1"; }
kill -TERM "$BG"
finish 3
expect_rc 143
stderr_has "aiod: 3 unfinished tasks"
stderr_has "<Task pending name='main'> awaiting, sleeper-task, generation 1"
stderr_has "<Task pending name='sleeper-task'> sleeping, sleep "
stderr_has "<Task pending name='getter-task'> waiting, Queue.get, generation 1"
stderr_has "s.lua:4: in function <s.lua:4>"
