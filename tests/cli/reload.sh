# SIGHUP reloads: new connections get the new code, old ones keep the old; state survives; failed reloads change nothing
. "$(dirname "$0")/lib.bash"
/usr/bin/python3 - "$AIOD" "$T" <<'PY' || fail "reload misbehaved"
import os, re, signal, socket, subprocess, sys, time
aiod, tmp = sys.argv[1:3]
script = os.path.join(tmp, "srv.lua")
def write(version, extra=""):
    with open(script + ".tmp", "w") as f:
        f.write('''
local asyncio = require "asyncio"
local aiod = require "aiod"
aiod.state.count = (aiod.state.count or 0) + 1
local count = aiod.state.count
%s
local server = asyncio.start_server(function(r, w)
  local _ <close> = setmetatable({}, {__close = function() aiod.log("info", "cleanup %%s", "%s") end})
  for line in r:lines() do w:write(("%s %%d %%d: %%s"):format(aiod.generation, count, line)) end
end, "127.0.0.1", tonumber(arg[1]))
server:serve_forever()
''' % (extra, version, version))
    os.rename(script + ".tmp", script)

s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
write("one")
err = open(os.path.join(tmp, "stderr"), "w")
p = subprocess.Popen([aiod, "--grace", "0.3", script, str(port)], stderr=err, cwd=tmp)

def connect():
    for _ in range(100):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=3)
        except ConnectionRefusedError:
            time.sleep(0.02)
    raise SystemExit("server never came up")
def ask(c, text="hi"):
    c.sendall(text.encode() + b"\n")
    data = b""
    while not data.endswith(b"\n"):
        chunk = c.recv(100)
        assert chunk, "connection closed"
        data += chunk
    return data.decode().strip()
def log():
    err.flush()
    return open(os.path.join(tmp, "stderr")).read()
def wait_log(pattern, count=1):
    for _ in range(200):
        if len(re.findall(pattern, log())) >= count:
            return
        time.sleep(0.01)
    raise SystemExit("log never showed %r:\n%s" % (pattern, log()))

old = connect()
assert ask(old) == "one 1 1: hi", ask(old)
write("two")
p.send_signal(signal.SIGHUP)
wait_log(r"reload 1 -> 2: ok in [0-9.]+ ms")
new = connect()
assert ask(new) == "two 2 2: hi"
assert ask(old) == "one 1 1: hi", "an old connection must keep the old code"

# a syntax error changes nothing
with open(script, "a") as f: f.write("this is not lua (\n")
p.send_signal(signal.SIGHUP)
wait_log(r"reload 2 -> 3: failed: .*srv.lua")
assert ask(connect()) == "two 2 2: hi"

# a main chunk that raises before it is ready rolls back; the socket goes back
write("four", 'error("broken on purpose")')
p.send_signal(signal.SIGHUP)
wait_log(r"reload 2 -> 4: failed: .*broken on purpose")
assert ask(connect()) == "two 2 2: hi"
assert ask(new) == "two 2 2: hi"

# the script gone: logged, nothing changes
os.unlink(script)
p.send_signal(signal.SIGHUP)
wait_log(r"reload 2 -> 5: failed: cannot open")
assert ask(connect()) == "two 2 2: hi"

# a reload asked for while one is in progress waits for it (the new main
# chunk takes 0.2 s to be ready)
write("six", "asyncio.sleep(0.2)")
p.send_signal(signal.SIGHUP)
time.sleep(0.05)
p.send_signal(signal.SIGHUP)
wait_log(r"reload 2 -> 6: ok")
wait_log(r"reload 6 -> 7: ok")
assert ask(connect()) == "six 7 5: hi", "state counts every generation that ran (4 raised after counting)"

# the grace period ends: the first generation's connection is closed, its cleanup ran
time.sleep(0.4)
old.settimeout(1)
assert old.recv(100) == b"", "old connection still open after --grace"
wait_log(r"cleanup one")

# SIGTERM: cleanup runs, exit 0
p.send_signal(signal.SIGTERM)
assert p.wait(timeout=5) == 0
wait_log(r"cleanup two")
PY
