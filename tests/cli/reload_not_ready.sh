# a reload not ready in time rolls back (--ready-timeout, 10 s by default); systemd hears RELOADING=1 then READY=1 around it
. "$(dirname "$0")/lib.bash"
/usr/bin/python3 - "$AIOD" "$T" <<'PY' || fail "rollback on timeout misbehaved"
import os, signal, socket, subprocess, sys, time
aiod, tmp = sys.argv[1:3]
script = os.path.join(tmp, "s.lua")
def write(body):
    with open(script + ".tmp", "w") as f: f.write(body)
    os.rename(script + ".tmp", script)
write('''
local asyncio = require "asyncio"
local aiod = require "aiod"
local server = asyncio.start_server(function(r, w) w:write("gen " .. aiod.generation .. "\\n") end,
  "127.0.0.1", tonumber(arg[1]))
if aiod.generation > 1 then asyncio.sleep(60) end   -- never ready in time
server:serve_forever()
''')
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
notify = os.path.join(tmp, "notify.sock")
ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); ns.bind(notify); ns.settimeout(5)
def state():  # the first line; READY=1 comes with a STATUS= line
    return ns.recv(200).split(b"\n")[0]
err = open(os.path.join(tmp, "stderr"), "w")
p = subprocess.Popen([aiod, "--ready-timeout", "0.2", script, str(port)], stderr=err,
                     env=dict(os.environ, NOTIFY_SOCKET=notify))
assert state() == b"READY=1"
def ask():
    c = socket.create_connection(("127.0.0.1", port), timeout=3)
    return c.recv(100)
assert ask() == b"gen 1\n"
p.send_signal(signal.SIGHUP)
assert state() == b"RELOADING=1"
time.sleep(0.05)
assert ask() == b"gen 1\n", "the old generation accepts until the new one is ready"
assert state() == b"READY=1"
assert ask() == b"gen 1\n", "after the rollback the old generation serves again"
p.send_signal(signal.SIGTERM)
assert p.wait(timeout=5) == 0
assert state() == b"STOPPING=1"
log = open(os.path.join(tmp, "stderr")).read()
assert "reload 1 -> 2: failed: not ready within 0.2 s" in log, log
PY
