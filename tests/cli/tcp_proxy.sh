# scripts/tcp_proxy.lua: proxies to its upstreams round-robin; re-pointed by editing and SIGHUP while an old connection stays with its upstream; no upstream: the 503 line
. "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 - "$AIOD" "$T" "$root/scripts/tcp_proxy.lua" <<'PY' || fail "tcp_proxy misbehaved"
import os, re, signal, socket, subprocess, sys, threading, time
aiod, tmp, original = sys.argv[1:4]

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def upstream(name):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0)); s.listen(16)
    def serve(c):
        while True:
            data = c.recv(100)
            if not data: break
            c.sendall(name + b":" + data)
        c.close()
    def accept():
        while True:
            c, _ = s.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()
    threading.Thread(target=accept, daemon=True).start()
    return s.getsockname()[1]

pa, pb, dead, port = upstream(b"A"), upstream(b"B"), free_port(), free_port()
text = open(original).read()
def configure(upstreams):
    new = re.sub(r'local UPSTREAMS = \{.*?\n\}', "local UPSTREAMS = {\n" +
                 "".join('  "127.0.0.1:%d",\n' % p for p in upstreams) + "}", text, flags=re.S)
    with open(tmp + "/proxy.lua.tmp", "w") as f: f.write(new)
    os.rename(tmp + "/proxy.lua.tmp", tmp + "/proxy.lua")
configure([pa, pb])
err = open(tmp + "/stderr", "w")
p = subprocess.Popen([aiod, "--grace", "5", tmp + "/proxy.lua", str(port)], stderr=err)
def conn():
    for _ in range(100):
        try: return socket.create_connection(("127.0.0.1", port), timeout=3)
        except ConnectionRefusedError: time.sleep(0.02)
    raise SystemExit("proxy never came up")
def ask(c, data=b"x"):
    c.sendall(data); return c.recv(100)
def log(): err.flush(); return open(tmp + "/stderr").read()

c1 = conn(); c2 = conn()
assert (ask(c1), ask(c2)) == (b"A:x", b"B:x"), "round robin over A and B"
configure([pb])
p.send_signal(signal.SIGHUP)
for _ in range(200):
    if "reload 1 -> 2: ok" in log(): break
    time.sleep(0.01)
else: raise SystemExit("no reload: " + log())
assert ask(conn()) == b"B:x" and ask(conn()) == b"B:x", "new connections follow the new list"
assert ask(c1) == b"A:x", "an open connection keeps its upstream"
configure([dead])
p.send_signal(signal.SIGHUP)
for _ in range(200):
    if "reload 2 -> 3: ok" in log(): break
    time.sleep(0.01)
c3 = conn()
assert c3.recv(100) == b"503 no upstream available\n"
assert "4 connections served so far" in log(), log()
p.send_signal(signal.SIGTERM)
assert p.wait(timeout=5) == 0
PY
