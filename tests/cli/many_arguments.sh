# 10,000 script arguments (a shell glob's worth) reach the main chunk as ... and arg; port_check.lua with 50 targets
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
script s.lua <<'LUA'
print(select("#", ...), #arg, select(10000, ...), arg[10000])
LUA
run s.lua $(seq 10000)
expect_rc 0
expect_stdout "10000	10000	10000	10000"
# 50 targets, all on one listener of our own
/usr/bin/python3 - "$T" <<'PY' &
import os, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
with open(sys.argv[1] + "/port.tmp", "w") as f: f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + "/port.tmp", sys.argv[1] + "/port")
time.sleep(8)
PY
helper=$!
trap 'kill $helper 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -f "$T/port" ] && break; sleep 0.05; done
read -r port <"$T/port" || fail "the helper listener did not start"
cp "$root/scripts/port_check.lua" "$T/"
targets=()
for _ in $(seq 50); do targets+=("127.0.0.1:$port"); done
run port_check.lua -t 2 "${targets[@]}"
expect_rc 0
stdout_has "50 of 50 open"
