# ten clients at once, a silent one beside them, garbage and a 10 MB line, a stale socket replaced, a live one kept, other users refused
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
print("ready")
io.stdout:flush()
asyncio.sleep(5)
LUA
# A stale socket (its owner gone) at the path is replaced.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/c.sock"
start --control "$T/c.sock" s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not replace a stale socket"; }
# A live one is not taken over.
run --control "$T/c.sock" -e 'print("second")'
[ "$RC" != 0 ] && grep -q "Address already in use" "$ERR" || { kill "$BG"; finish 1; fail "a second aiod took a live control socket: exit $RC"; }
# A client that connects and says nothing delays nobody.
python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(3)' "$T/c.sock" & silent=$!
pids=()
for i in 1 2 3 4 5 6 7 8 9 10; do
	timeout 5 "$AIOD" stats --control "$T/c.sock" >"$T/s$i" 2>&1 & pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || { kill "$BG" $silent; finish 1; cat "$T/s$((i + 1))"; fail "client $((i + 1)) failed"; }
	grep -q "^tasks" "$T/s$((i + 1))" || { kill "$BG" $silent; finish 1; fail "client $((i + 1)) got no stats"; }
done
kill $silent 2>/dev/null
# Garbage gets an error; a 10 MB line is dropped unanswered; the daemon serves on.
python3 - "$T/c.sock" >"$T/junk" 2>&1 <<'PY' || { kill "$BG"; finish 1; cat "$T/junk"; fail "garbage or a long line upset the socket"; }
import socket, sys
def ask(data):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    try:
        s.sendall(data)
    except OSError:
        pass  # the daemon stopped reading: the line is too long
    got = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
    except OSError:
        pass
    return got
assert b'"error"' in ask(b"\x00\xff garbage\n"), "no error for garbage"
assert ask(b"x" * (10 << 20) + b"\n") == b"", "an answer to a 10 MB line"
PY
"$AIOD" stats --control "$T/c.sock" | grep -q "^tasks" || { kill "$BG"; finish 1; fail "no stats after the junk"; }
# Another user: the folder and the socket keep them out (root runs this part).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 0711 "$T"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$AIOD" ps --control "$T/c.sock" 2>"$T/e"; rc=$?
	[ "$rc" = 2 ] && grep -qi "permission denied" "$T/e" || { kill "$BG"; finish 1; cat "$T/e"; fail "another user reached the socket: exit $rc"; }
	# With the socket's mode opened up, the peer check still turns them away, and says so.
	chmod 0666 "$T/c.sock"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$AIOD" ps --control "$T/c.sock" 2>"$T/e"; rc=$?
	[ "$rc" != 0 ] || { kill "$BG"; finish 1; fail "another user was answered"; }
	wait_for_text "$ERR" "refused a client of uid 65534" || { kill "$BG"; finish 1; fail "the refusal was not logged"; }
fi
kill -TERM "$BG"
finish 3
