# SIGTERM: a service (it started a server) exits 0, as systemd expects; a batch script exits 143 (sigterm_main.sh); SIGINT is 130 for both
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local server = asyncio.start_server(function() end, "127.0.0.1", 0)
print("serving")
io.stdout:flush()
server:serve_forever()
LUA
start s.lua
wait_for_text "$OUT" serving || { finish 1; fail "aiod did not start"; }
kill -TERM "$BG"
finish 3
[ "$FINISHED_IN_TIME" = 1 ] || fail "SIGTERM did not stop the service"
expect_rc 0
start s.lua
wait_for_text "$OUT" serving || { finish 1; fail "aiod did not start"; }
kill -INT "$BG"
finish 3
expect_rc 130
