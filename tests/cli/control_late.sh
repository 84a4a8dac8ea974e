# the default control socket goes on disk a moment after start: aiod ps right after start waits for it; one that cannot be made is a warning; none is left after exit
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
require("asyncio").sleep(5)
LUA
mkdir "$T/xdg"
export XDG_RUNTIME_DIR=$T/xdg
# No wait for the script to get ready: the client waits for a young
# process's socket.
start s.lua
"$AIOD" stats "$BG" >"$T/a" 2>&1 || { kill "$BG"; finish 1; cat "$T/a"; fail "stats right after start failed"; }
grep -q "^pid  *$BG" "$T/a" || { kill "$BG"; finish 1; cat "$T/a"; fail "stats of the wrong process"; }
[ "$(stat -c %a "$T/xdg/aiod/$BG.sock")" = 600 ] || { kill "$BG"; finish 1; fail "socket mode is not 600"; }
kill -TERM "$BG"
finish 3
expect_rc 143
[ ! -e "$T/xdg/aiod/$BG.sock" ] || fail "the control socket is left after exit"
# A folder that cannot be made costs a warning when the socket's time comes,
# and the script runs on.
: >"$T/file"
XDG_RUNTIME_DIR=$T/file run -e 'require("asyncio").sleep(0.1) print("done")'
expect_rc 0
expect_stdout done
stderr_has "aiod: warning: no control socket $T/file/aiod/"
