# aiod attach from a pipe: entries see and change the daemon's globals, print goes to the session, errors do not end it, EOF mid-entry says why; the tasks a session started end with it; a killed session's entry is cancelled; refusals
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
state = {hits = 3}
local srv = asyncio.start_server(function() end, "127.0.0.1", 0)
print("ready")
io.stdout:flush()
srv:serve_forever()
LUA
start --control "$T/c.sock" s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
at() { "$AIOD" attach --control "$T/c.sock" <"$T/in" >"$T/a.out" 2>"$T/a.err"; AT_RC=$?; }
printf '%s\n' 'state.hits' 'print("from", "daemon")' 'asyncio.sleep(0.01) return "slept"' \
	'error("boom")' 'marker = 7' 'local a, b = 1, 2' 'return a' >"$T/in"
at
[ "$AT_RC" = 0 ] || { kill "$BG"; finish 1; cat "$T/a.out" "$T/a.err"; fail "attach: exit $AT_RC"; }
printf '%s\n' 3 'from	daemon' slept nil | cmp -s - "$T/a.out" || { kill "$BG"; finish 1; cat "$T/a.out"; fail "attach's output differs"; }
grep -q "boom" "$T/a.err" || { kill "$BG"; finish 1; cat "$T/a.err"; fail "the error entry said nothing"; }
! grep -q "from" "$OUT" || { kill "$BG"; finish 1; fail "an entry's print went to the daemon's stdout"; }
# A global set by one session is the daemon's, seen by the next.
printf 'marker\nasyncio.create_task(function() asyncio.sleep(100) end):set_name("leftover") return nil\nfor i = 1, 2 do\n' >"$T/in"
at
grep -qx 7 "$T/a.out" || { kill "$BG"; finish 1; cat "$T/a.out" "$T/a.err"; fail "the global did not stay"; }
grep -q "'end' expected" "$T/a.err" || { kill "$BG"; finish 1; cat "$T/a.err"; fail "EOF mid-entry said nothing"; }
for _ in $(seq 50); do "$AIOD" ps --control "$T/c.sock" 2>/dev/null | grep -q leftover || break; sleep 0.05; done
! "$AIOD" ps --control "$T/c.sock" | grep -q leftover || { kill "$BG"; finish 1; fail "a task the session started outlived it"; }
# A session killed while its entry runs: the entry is cancelled.
(printf 'asyncio.sleep(100)\n'; sleep 5) | "$AIOD" attach --control "$T/c.sock" >/dev/null 2>&1 & sess=$!
for _ in $(seq 50); do "$AIOD" ps --control "$T/c.sock" 2>/dev/null | grep -q " repl " && break; sleep 0.05; done
"$AIOD" ps --control "$T/c.sock" | grep -q " repl " || { kill "$BG" $sess; finish 1; fail "the entry never ran"; }
kill -KILL $sess
for _ in $(seq 50); do "$AIOD" ps --control "$T/c.sock" 2>/dev/null | grep -q " repl " || break; sleep 0.05; done
! "$AIOD" ps --control "$T/c.sock" | grep -q " repl " || { kill "$BG"; finish 1; fail "a killed session's entry runs on"; }
kill -TERM "$BG"
finish 3
expect_rc 0
# No daemon there: exit 2.
"$AIOD" attach --control "$T/c.sock" </dev/null 2>"$T/e"; rc=$?
[ "$rc" = 2 ] && grep -q "cannot reach" "$T/e" || fail "attach to nothing: exit $rc"
