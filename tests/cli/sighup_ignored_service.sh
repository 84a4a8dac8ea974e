# a service started with SIGHUP ignored (nohup) keeps it ignored, and says so once at the start of serving: SIGHUP does nothing, aiod reload still reloads; a batch script and --no-reload get no such warning
. "$(dirname "$0")/lib.bash"
script service.lua <<'LUA'
local asyncio = require "asyncio"
local aiod = require "aiod"
local a = asyncio.start_server(function() end, "127.0.0.1", 0)
local b = asyncio.start_server(function() end, "127.0.0.1", 0)
print("serving " .. aiod.generation)
io.stdout:flush()
a:serve_forever()
LUA
start_ignoring_hup() {
	set -m
	(cd "$T" && trap '' HUP && exec "$AIOD" "$@" <"/dev/null" >"$OUT" 2>"$ERR") &
	BG=$!
	set +m
}
start_ignoring_hup --pidfile "$T/a.pid" service.lua
wait_for_text "$OUT" "serving 1" || { finish 1; fail "aiod did not start"; }
[ "$(grep -c "SIGHUP was ignored when aiod started" "$ERR")" = 1 ] ||
	{ kill "$BG"; finish 1; fail "no single warning about the ignored SIGHUP"; }
grep -qF "'aiod reload $BG' will" "$ERR" || { kill "$BG"; finish 1; fail "the warning does not name aiod reload"; }
kill -HUP "$BG"
sleep 0.2
kill -0 "$BG" || fail "SIGHUP stopped a service that started with it ignored"
! grep -q "reload 1 -> 2" "$ERR" || { kill "$BG"; finish 1; fail "an ignored SIGHUP reloaded"; }
"$AIOD" reload --pidfile "$T/a.pid" >"$T/r" 2>&1 || { kill "$BG"; finish 1; cat "$T/r"; fail "aiod reload failed"; }
wait_for_text "$OUT" "serving 2" || { kill "$BG"; finish 1; fail "aiod reload did not reload"; }
# the new generation's servers warn no more
[ "$(grep -c "SIGHUP was ignored" "$ERR")" = 1 ] || { kill "$BG"; finish 1; fail "warned again"; }
kill -TERM "$BG"
finish 3
expect_rc 0

# --no-reload: SIGHUP would not reload anyway
start_ignoring_hup --no-reload service.lua
wait_for_text "$OUT" "serving 1" || { finish 1; fail "aiod did not start"; }
kill -TERM "$BG"
finish 3
! grep -q "SIGHUP was ignored" "$ERR" || fail "warned under --no-reload"
# SIGHUP at its default: no warning
start service.lua
wait_for_text "$OUT" "serving 1" || { finish 1; fail "aiod did not start"; }
kill -TERM "$BG"
finish 3
! grep -q "SIGHUP was ignored" "$ERR" || fail "warned with SIGHUP at its default"
exit 0
