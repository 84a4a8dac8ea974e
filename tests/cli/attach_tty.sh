# aiod attach on a terminal: entries run in the daemon, Ctrl-C stops an entry that waits and one that holds the daemon's loop, continuation, Ctrl-D ends the session, the terminal is as before
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
counter = 0
asyncio.create_task(function() while true do asyncio.sleep(0.01) counter = counter + 1 end end)
print("ready")
io.stdout:flush()
aiod = require "aiod"
aiod.ready()
asyncio.sleep(60)
LUA
start --control "$T/c.sock" s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
timeout 20 python3 "$(dirname "$0")/attach_tty.py" "$AIOD" "$T/c.sock" >"$T/tty" 2>&1 || { kill "$BG"; finish 1; fail "$(cat "$T/tty")"; }
# The daemon serves on, and no entry of the session is left running.
"$AIOD" ps --control "$T/c.sock" >"$T/ps" 2>&1 || { kill "$BG"; finish 1; fail "ps after the session: $(cat "$T/ps")"; }
! grep -q " repl " "$T/ps" || { kill "$BG"; finish 1; cat "$T/ps"; fail "an entry of the session still runs"; }
kill -TERM "$BG"
finish 3
expect_rc 0
