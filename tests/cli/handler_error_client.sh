# a connection handler's error names the client (address and port) with a traceback; peers' resets are one line each, at most 5 a second, then one summary line; a handler cancelled by the stop logs nothing
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local srv = asyncio.start_server(function(r, w)
  local line = r:readline()
  if line == "boom\n" then error("boom") end
  while r:readline() ~= "" do end
end, "127.0.0.1", 0)
print("port " .. srv.sockets[1].port)
io.stdout:flush()
srv:serve_forever()
LUA
/usr/bin/python3 - "$AIOD" "$T" <<'PY' || fail "the server misbehaved"
import re, signal, socket, struct, subprocess, sys, time
aiod, tmp = sys.argv[1:3]
p = subprocess.Popen([aiod, "s.lua"], cwd=tmp, stdout=subprocess.PIPE, stderr=open(tmp + "/stderr", "w"), text=True)
port = int(re.search(r"port (\d+)", p.stdout.readline()).group(1))
c = socket.create_connection(("127.0.0.1", port), timeout=5)
open(tmp + "/client", "w").write("127.0.0.1:%d" % c.getsockname()[1])
c.sendall(b"boom\n")
assert c.recv(10) == b""
c.close()
for i in range(30):
    r = socket.create_connection(("127.0.0.1", port), timeout=5)
    r.sendall(b"hello\n")
    time.sleep(0.005)
    r.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    r.close()
deadline = time.time() + 3
while time.time() < deadline and "more connection resets" not in open(tmp + "/stderr").read():
    time.sleep(0.05)
idle = socket.create_connection(("127.0.0.1", port), timeout=5)
idle.sendall(b"waiting\n")
time.sleep(0.1)
p.send_signal(signal.SIGTERM)
p.communicate(timeout=5)
PY
stderr_has "handler for $(cat "$T/client") failed: s.lua:4: boom"
stderr_has "	s.lua:4: in function <s.lua:2>"
n=$(grep -c "failed: ConnectionResetError" "$ERR")
[ "$n" -ge 1 ] && [ "$n" -le 5 ] || fail "$n reset lines, expected 1 to 5"
grep -q "^handler for 127\.0\.0\.1:[0-9]* failed: ConnectionResetError: " "$ERR" || fail "a reset line does not name the client"
grep -q "^\.\.\. and [0-9]* more connection resets by peers in the last second$" "$ERR" || fail "no summary line"
[ "$(grep -c "stack traceback" "$ERR")" = 1 ] || fail "a reset or the cancelled handler was logged with a traceback"
! grep -q "CancelledError" "$ERR" || fail "the cancelled handler was logged"
