# scripts/echo_server.lua echoes lines to several clients at once; SIGTERM stops it with each handler's cleanup, exit 0
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 - "$AIOD" "$root/scripts/echo_server.lua" "$T" <<'PY' || fail "echo server misbehaved"
import re, signal, socket, subprocess, sys, time
aiod, script, tmp = sys.argv[1:4]
out = open(tmp + "/stdout", "w")
p = subprocess.Popen([aiod, script, "0", "127.0.0.1"], stdout=subprocess.PIPE, stderr=open(tmp + "/stderr", "w"), text=True)
m = re.search(r"port (\d+)", p.stdout.readline())
port = int(m.group(1))
a = socket.create_connection(("127.0.0.1", port), timeout=5)
b = socket.create_connection(("127.0.0.1", port), timeout=5)
for s, text in ((a, b"one\n"), (b, b"two\nthree\n"), (a, b"four\n")):
    s.sendall(text)
    want = len(text)
    got = b""
    while len(got) < want:
        got += s.recv(100)
    assert got == text, (got, text)
b.close()
time.sleep(0.1)
p.send_signal(signal.SIGTERM)
rest, _ = p.communicate(timeout=5)
out.write(rest)
assert p.returncode == 0, p.returncode
assert a.recv(10) == b"", "connection not closed on stop"
assert re.search(r"left: closed \(1 open\)", rest), rest
assert re.search(r"left: stopped \(0 open\)", rest), rest
PY
