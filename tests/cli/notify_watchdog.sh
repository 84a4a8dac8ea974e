# with WATCHDOG_USEC set, aiod sends WATCHDOG=1 from its loop at half that period (not when WATCHDOG_PID names another process); READY=1 comes with a STATUS= line (generation, tasks, connections)
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.create_task(function() asyncio.sleep(0.4) end)
LUA
/usr/bin/python3 - "$AIOD" "$T" <<'PY' || fail "watchdog or status notifications wrong"
import os, socket, subprocess, sys, time
aiod, tmp = sys.argv[1], sys.argv[2]
def run(env):
    path = os.path.join(tmp, "notify.sock")
    if os.path.exists(path): os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(0.2)
    p = subprocess.Popen([aiod, "s.lua"], cwd=tmp, stdin=subprocess.DEVNULL,
                         env=dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="100000", **env))
    got = []
    deadline = time.time() + 3
    while p.poll() is None and time.time() < deadline:
        try: got.append(s.recv(4096).decode())
        except socket.timeout: pass
    rc = p.wait(timeout=5)
    s.close()
    return rc, got
rc, got = run({})
assert rc == 0, rc
ready = [m for m in got if m.startswith("READY=1")]
assert ready and ready[0] == "READY=1\nSTATUS=generation 1, 1 task, 0 connections", got
dogs = [m for m in got if m.startswith("WATCHDOG=1")]
assert len(dogs) >= 4, got            # 0.4 s at one every 50 ms
assert "STATUS=generation 1" in dogs[0], dogs[0]
rc, got = run({"WATCHDOG_PID": "1"})
assert rc == 0, rc
assert not [m for m in got if m.startswith("WATCHDOG=1")], got
PY
