# aiod ps|stack|reload PID --control PATH: the PID and the socket's path together, as the usage line gives them (a PID is also optional with --control)
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local t = require("asyncio").create_task(function() require("asyncio").sleep(5) end)
t:set_name("sleeper")
print("ready")
io.stdout:flush()
require("asyncio").sleep(5)
LUA
start --control "$T/c.sock" s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
check() {
	"$AIOD" "$@" >"$T/a" 2>&1
	local rc=$?
	[ "$rc" = "$want" ] || { kill "$BG"; finish 1; cat "$T/a"; fail "aiod $* exited $rc, expected $want"; }
}
want=0 check ps "$BG" --control "$T/c.sock"
grep -q "sleeper" "$T/a" || { kill "$BG"; finish 1; cat "$T/a"; fail "ps PID --control PATH did not list the tasks"; }
want=0 check ps --control "$T/c.sock" "$BG" --json
want=0 check ps --control "$T/c.sock"
want=0 check stack "$BG" sleeper --control "$T/c.sock"
grep -q "s.lua:1" "$T/a" || { kill "$BG"; finish 1; cat "$T/a"; fail "stack PID TASK --control PATH gave no traceback"; }
want=0 check stack --control "$T/c.sock" sleeper
want=2 check reload "$BG" --control "$T/c.sock"
grep -q "batch script" "$T/a" || { kill "$BG"; finish 1; cat "$T/a"; fail "reload of a batch script did not say why it refused"; }
want=2 check ps --control "$T/c.sock" "$BG" extra
want=2 check ps --pidfile "$T/none" "$BG"
kill -TERM "$BG"
finish 3
