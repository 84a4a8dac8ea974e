# SIGTERM while the main chunk itself sleeps: its <close> handler runs and a batch script exits 143 (graceful stop, as a shell reports the signal; not an uncaught error)
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local c <close> = setmetatable({}, {__close = function() print("main cleanup") end})
print("ready")
io.stdout:flush()
asyncio.sleep(10)
print("not reached")
LUA
start s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
kill -TERM "$BG"
finish 3
[ "$FINISHED_IN_TIME" = 1 ] || fail "aiod did not exit within 3 s of SIGTERM"
expect_rc 143
expect_stdout "ready" "main cleanup"
