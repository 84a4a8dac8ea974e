# aiod reload waits for the reload's outcome: 0 when it committed, 1 when it failed; two at once each get theirs
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local aiod = require "aiod"
local srv = asyncio.start_server(function() end, "127.0.0.1", 0)
print("ready " .. aiod.generation)
io.stdout:flush()
srv:serve_forever()
LUA
start --pidfile "$T/a.pid" s.lua
wait_for_text "$OUT" "ready 1" || { finish 1; fail "aiod did not get ready"; }
"$AIOD" reload --pidfile "$T/a.pid" >"$T/r1" 2>&1; rc=$?
[ "$rc" = 0 ] && grep -q "reload 1 -> 2: ok in" "$T/r1" || { kill "$BG"; finish 1; cat "$T/r1"; fail "reload: exit $rc"; }
# Two asked together: each hears the outcome of its own reload.
"$AIOD" reload --pidfile "$T/a.pid" >"$T/r2" 2>&1 & a=$!
"$AIOD" reload --pidfile "$T/a.pid" >"$T/r3" 2>&1 & b=$!
wait $a; ra=$?
wait $b; rb=$?
[ "$ra" = 0 ] && [ "$rb" = 0 ] || { kill "$BG"; finish 1; cat "$T/r2" "$T/r3"; fail "concurrent reloads: exits $ra $rb"; }
cat "$T/r2" "$T/r3" | sort >"$T/both"
printf '%s\n' "reload 2 -> 3" "reload 3 -> 4" >"$T/want"
sed 's/: ok in .*//' "$T/both" | cmp -s - "$T/want" || { kill "$BG"; finish 1; cat "$T/both"; fail "concurrent reloads did not report one each"; }
# A script that no longer compiles: exit 1 and the reason.
echo 'this is not lua' >>"$T/s.lua"
"$AIOD" reload --pidfile "$T/a.pid" --json >"$T/r4" 2>&1; rc=$?
[ "$rc" = 1 ] && grep -q '"ok":false' "$T/r4" && grep -q 'failed' "$T/r4" || { kill "$BG"; finish 1; cat "$T/r4"; fail "a failed reload: exit $rc"; }
kill -TERM "$BG"
finish 3
expect_rc 0
