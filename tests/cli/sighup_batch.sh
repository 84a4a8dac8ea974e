# SIGHUP stops a batch script gracefully with 129 (its steps never run twice); --no-reload makes it a stop for a service too; a SIGHUP ignored at start (nohup) stays ignored
. "$(dirname "$0")/lib.bash"
script batch.lua <<'LUA'
local asyncio = require "asyncio"
print("step 1")
io.stdout:flush()
local ok, e = pcall(asyncio.sleep, 0.5)
print("cleanup", ok)
LUA
start batch.lua
wait_for_text "$OUT" "step 1" || { finish 1; fail "aiod did not start"; }
kill -HUP "$BG"
finish 3
[ "$FINISHED_IN_TIME" = 1 ] || fail "SIGHUP did not stop the batch script"
expect_rc 129
expect_stdout "step 1" "cleanup	false"

# ignored at start: the script runs to its end. $OUT is emptied first: the
# wait below would otherwise find the first run's "step 1" and signal the
# subshell before its trap has made SIGHUP ignored.
: >"$OUT"
set -m
(cd "$T" && trap '' HUP && exec "$AIOD" batch.lua <"/dev/null" >"$OUT" 2>"$ERR") &
BG=$!
set +m
wait_for_text "$OUT" "step 1" || { finish 1; fail "aiod did not start"; }
kill -HUP "$BG"
finish 3
expect_rc 0
expect_stdout "step 1" "cleanup	true"

script service.lua <<'LUA'
local asyncio = require "asyncio"
local server = asyncio.start_server(function() end, "127.0.0.1", 0)
print("serving")
io.stdout:flush()
server:serve_forever()
LUA
start --no-reload service.lua
wait_for_text "$OUT" serving || { finish 1; fail "aiod did not start"; }
kill -HUP "$BG"
finish 3
[ "$FINISHED_IN_TIME" = 1 ] || fail "SIGHUP did not stop the service under --no-reload"
expect_rc 129
! grep -q "reload" "$ERR" || fail "aiod reloaded under --no-reload"
