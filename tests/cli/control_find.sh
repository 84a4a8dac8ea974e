# aiod ps PID finds the socket a daemon was told of: its --control PATH (relative to its folder), or its own XDG_RUNTIME_DIR
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
print("ready")
io.stdout:flush()
require("asyncio").sleep(5)
LUA
start --control rel.sock s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
"$AIOD" stats "$BG" >"$T/a" 2>&1 || { kill "$BG"; finish 1; cat "$T/a"; fail "ps PID did not find a relative --control socket"; }
grep -q "^pid  *$BG" "$T/a" || { kill "$BG"; finish 1; cat "$T/a"; fail "stats of the wrong process"; }
kill -TERM "$BG"
finish 3
mkdir "$T/xdg"
set -m
(cd "$T" && XDG_RUNTIME_DIR="$T/xdg" exec "$AIOD" s.lua <"/dev/null" >"$OUT" 2>"$ERR") &
BG=$!
set +m
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
# The default socket is put on disk once aiod has run a moment (so that a
# short script never pays for it), and aiod ps waits that moment for it.
for ((i = 0; i < 50; i++)); do [ -S "$T/xdg/aiod/$BG.sock" ] && break; sleep 0.02; done
[ -S "$T/xdg/aiod/$BG.sock" ] || { kill "$BG"; finish 1; fail "no socket under the daemon's XDG_RUNTIME_DIR"; }
env -u XDG_RUNTIME_DIR "$AIOD" stats "$BG" >"$T/b" 2>&1 || { kill "$BG"; finish 1; cat "$T/b"; fail "ps PID did not find the socket the daemon's XDG_RUNTIME_DIR gives"; }
kill -TERM "$BG"
finish 3
