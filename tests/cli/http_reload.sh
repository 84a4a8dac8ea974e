# an HTTP request across a hot reload: an old generation's connection task in the middle of a transfer finishes it
# after the reload (and makes new requests on the old code), while new connections get the new code
. "$(dirname "$0")/lib.bash"
backend=$(cd "$(dirname "$0")/../http" && pwd)/server.py
/usr/bin/python3 -I - "$AIOD" "$T" "$backend" <<'PY' || fail "reload broke a transfer"
import os, re, signal, socket, subprocess, sys, time
aiod, tmp, backend = sys.argv[1:4]
srv = subprocess.Popen([sys.executable, "-I", backend], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
bport = int(srv.stdout.readline().split()[0])
script = os.path.join(tmp, "proxy.lua")
def write(version):
    with open(script + ".tmp", "w") as f:
        f.write('''
local asyncio = require "asyncio"
local aiod = require "aiod"
local server = asyncio.start_server(function(r, w)
  for line in r:lines() do
    local resp = asyncio.http.get("http://127.0.0.1:%d" .. line:gsub("\\n", ""))
    w:write(("%s %%d: %%d %%s\\n"):format(aiod.generation, resp.status, resp.body))
  end
end, "127.0.0.1", tonumber(arg[1]))
server:serve_forever()
''' % (bport, version))
    os.rename(script + ".tmp", script)

s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
write("one")
err = open(os.path.join(tmp, "stderr"), "w")
p = subprocess.Popen([aiod, "--grace", "5", script, str(port)], stderr=err, cwd=tmp)
def connect():
    for _ in range(200):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=3)
        except ConnectionRefusedError:
            time.sleep(0.02)
    raise SystemExit("aiod never listened")
def answer(c):
    data = b""
    while not data.endswith(b"\n"):
        chunk = c.recv(1000)
        assert chunk, "connection closed; stderr:\n" + log()
        data += chunk
    return data.decode().strip()
def log():
    err.flush()
    return open(os.path.join(tmp, "stderr")).read()
def wait_log(pattern):
    for _ in range(300):
        if re.search(pattern, log()):
            return
        time.sleep(0.01)
    raise SystemExit("log never showed %r:\n%s" % (pattern, log()))
try:
    old = connect()
    old.sendall(b"/status/201\n")
    assert answer(old) == "one 1: 201 status 201"
    old.sendall(b"/slow?ms=400\n")          # in flight across the reload
    time.sleep(0.05)
    write("two")
    p.send_signal(signal.SIGHUP)
    wait_log(r"reload 1 -> 2: ok")
    new = connect()
    new.sendall(b"/status/202\n")
    assert answer(new) == "two 2: 202 status 202"
    got = answer(old)
    assert got == "one 1: 200 slow", got
    old.sendall(b"/status/203\n")           # the old code still makes requests
    got = answer(old)
    assert got == "one 1: 203 status 203", got
    old.close()
    new.close()
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=5)
    assert rc == 0, "exit %d\n%s" % (rc, log())
    bad = [l for l in log().splitlines() if re.search(r"error|never retrieved|leak|Sanitizer", l, re.I)]
    assert not bad, "\n".join(bad)
finally:
    if p.poll() is None:
        p.kill()
    srv.kill()
PY
