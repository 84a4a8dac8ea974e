# scripts/port_check.lua: open, refused, timed-out and unresolvable targets in one table; exit 1 when any is not open, 2 on bad usage
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
# Listeners for the script to check: one that accepts, one whose backlog is
# full so that connecting hangs, and a port that refuses.
/usr/bin/python3 - "$T" <<'PY' &
import socket, sys, time
def listener(backlog):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(backlog)
    return s
open_ = listener(8)
full = listener(0)
fillers = []
for _ in range(4):  # fill the backlog; later SYNs are dropped
    c = socket.socket(); c.setblocking(False)
    c.connect_ex(full.getsockname()); fillers.append(c)
closed = listener(1); port_closed = closed.getsockname()[1]; closed.close()
with open(sys.argv[1] + "/ports.tmp", "w") as f:
    f.write("%d %d %d\n" % (open_.getsockname()[1], full.getsockname()[1], port_closed))
import os; os.rename(sys.argv[1] + "/ports.tmp", sys.argv[1] + "/ports")
time.sleep(8)
PY
helper=$!
trap 'kill $helper 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -f "$T/ports" ] && break; sleep 0.05; done
read -r p_open p_full p_closed <"$T/ports" || fail "the helper listeners did not start"
printf '# targets\n127.0.0.1:%s\n\n127.0.0.1:%s  # full backlog\n' "$p_full" "$p_closed" >"$T/list"
cp "$root/scripts/port_check.lua" "$T/"
run port_check.lua -t 0.3 -c 2 "127.0.0.1:$p_open" -f list no-such-host.invalid:80
expect_rc 1
stdout_has "TARGET"
grep -q "^127.0.0.1:$p_open  *open " "$OUT" || fail "open port not shown open"
grep -q "^127.0.0.1:$p_full  *no answer in 0.3s " "$OUT" || fail "full backlog not shown as timed out"
grep -q "^127.0.0.1:$p_closed  *refused " "$OUT" || fail "closed port not shown refused"
grep -q "^no-such-host.invalid:80 " "$OUT" || fail "unresolvable host missing"
stdout_has "1 of 4 open"
run port_check.lua "127.0.0.1:$p_open"
expect_rc 0
stdout_has "1 of 1 open"
run port_check.lua nonsense
expect_rc 2
stderr_has "not HOST:PORT: nonsense"
