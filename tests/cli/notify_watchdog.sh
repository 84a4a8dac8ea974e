# with WATCHDOG_USEC set, aiod sends WATCHDOG=1 from its loop at half that period (none while a task wedges the loop, none when WATCHDOG_PID names another process); READY=1 comes with a STATUS= line (generation, tasks, connections)
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.create_task(function() asyncio.sleep(0.4) end)
LUA
script wedge.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.sleep(0.2)
print("wedged") io.stdout:flush()
local t = os.clock() while os.clock() - t < 0.5 do end
asyncio.sleep(0.2)
LUA
/usr/bin/python3 - "$AIOD" "$T" <<'PY' || fail "watchdog or status notifications wrong"
import os, socket, subprocess, sys, time
aiod, tmp = sys.argv[1], sys.argv[2]
def run(env, script="s.lua"):
    path = os.path.join(tmp, "notify.sock")
    if os.path.exists(path): os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(0.2)
    p = subprocess.Popen([aiod, script], cwd=tmp, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         env=dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="100000", **env))
    got = []
    deadline = time.time() + 3
    while p.poll() is None and time.time() < deadline:
        try: got.append((time.time(), s.recv(4096).decode()))
        except socket.timeout: pass
    rc = p.wait(timeout=5)
    s.close()
    return rc, got, p
def states(got): return [m for _, m in got]
rc, got, _ = run({})
got = states(got)
assert rc == 0, rc
ready = [m for m in got if m.startswith("READY=1")]
assert ready and ready[0] == "READY=1\nSTATUS=generation 1, 1 task, 0 connections", got
dogs = [m for m in got if m.startswith("WATCHDOG=1")]
assert len(dogs) >= 4, got            # 0.4 s at one every 50 ms
assert "STATUS=generation 1" in dogs[0], dogs[0]
rc, got, _ = run({"WATCHDOG_PID": "1"})
assert rc == 0, rc
assert not [m for m in states(got) if m.startswith("WATCHDOG=1")], got
rc, got, _ = run({}, "wedge.lua")
assert rc == 0, rc
# the last ping before the wedge and the first after it are 0.5 s apart
times = [t for t, m in got if m.startswith("WATCHDOG=1")]
assert len(times) >= 2, got
assert max(b - a for a, b in zip(times, times[1:])) > 0.35, times
PY
