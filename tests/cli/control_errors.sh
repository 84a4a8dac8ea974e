# the inspection commands fail clearly: no PID, a dead one, a process that is no aiod, --no-control, bad usage
. "$(dirname "$0")/lib.bash"
run ps
expect_rc 2
stderr_has "which process?"
run ps 999999999
expect_rc 2
stderr_has "no process 999999999"
run ps $$
expect_rc 2
stderr_has "has no control socket"
run stats --bogus 1
expect_rc 2
stderr_has "unknown option '--bogus'"
run ps --pidfile "$T/nothing.pid"
expect_rc 2
stderr_has "nothing.pid"
echo "not a pid" >"$T/bad.pid"
run ps --pidfile "$T/bad.pid"
expect_rc 2
stderr_has "holds no process id"
run ps --control "$T/none.sock"
expect_rc 2
stderr_has "cannot reach"

script s.lua <<'LUA'
print("ready")
io.stdout:flush()
require("asyncio").sleep(5)
LUA
start --no-control --pidfile "$T/a.pid" s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
"$AIOD" ps --pidfile "$T/a.pid" 2>"$T/e"; rc=$?
[ "$rc" = 2 ] && grep -qF -- "--no-control" "$T/e" || { kill "$BG"; finish 1; cat "$T/e"; fail "ps of a --no-control aiod: exit $rc"; }
kill -TERM "$BG"
finish 3

# A task that does not exist, and a reload of a batch script.
start --control "$T/c.sock" s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
"$AIOD" stack --control "$T/c.sock" nosuch 2>"$T/e"; rc=$?
[ "$rc" = 1 ] && grep -qxF "aiod stack: no task nosuch" "$T/e" || { kill "$BG"; finish 1; cat "$T/e"; fail "stack of no task: exit $rc"; }
"$AIOD" reload --control "$T/c.sock" 2>"$T/e"; rc=$?
[ "$rc" = 2 ] && grep -qF "batch script" "$T/e" || { kill "$BG"; finish 1; cat "$T/e"; fail "reload of a batch script: exit $rc"; }
kill -TERM "$BG"
finish 3
