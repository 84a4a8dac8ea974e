# with NOTIFY_SOCKET set, aiod sends READY=1 to that datagram socket once the main chunk has returned, while still running
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.create_task(function() asyncio.sleep(0.3) end)
LUA
/usr/bin/python3 - "$AIOD" "$T" <<'PY' || fail "no READY=1 notification"
import os, socket, subprocess, sys
aiod, tmp = sys.argv[1], sys.argv[2]
path = os.path.join(tmp, "notify.sock")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(3)
p = subprocess.Popen([aiod, "s.lua"], cwd=tmp, env=dict(os.environ, NOTIFY_SOCKET=path),
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
ok = False
try:
    while not ok:
        msg = s.recv(4096).decode()
        ok = "READY=1" in msg.split("\n")
        running = p.poll() is None
except socket.timeout:
    pass
rc = p.wait(timeout=5)
if not ok:
    print("no READY=1 received")
    sys.exit(1)
if not running:
    print("READY=1 came only after aiod exited")
    sys.exit(1)
sys.exit(0 if rc == 0 else 1)
PY
