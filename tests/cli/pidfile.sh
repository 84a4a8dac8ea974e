# --pidfile FILE holds aiod's pid while it runs and is removed when it exits
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
print("ready")
io.stdout:flush()
asyncio.sleep(0.3)
LUA
start --pidfile "$T/aiod.pid" s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
[ -f "$T/aiod.pid" ] || { finish 1; fail "no pidfile while running"; }
[ "$(tr -d ' \n' <"$T/aiod.pid")" = "$BG" ] || { finish 1; fail "pidfile holds '$(cat "$T/aiod.pid")', pid is $BG"; }
finish 3
expect_rc 0
[ ! -e "$T/aiod.pid" ] || fail "pidfile left behind after exit"
