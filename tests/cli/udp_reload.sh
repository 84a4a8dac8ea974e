# A UDP echo service reloaded 10 times while a connected client sends without pause: no datagram is refused (the socket is never closed), none is lost, each reload logs ok (one raises before it is ready and rolls back: the old generation goes on answering), and after each commit the answers come from the new generation; an endpoint only the first generation opened closes at the first commit
. "$(dirname "$0")/lib.bash"
/usr/bin/python3 - "$AIOD" "$T" <<'PY' || fail "UDP reload failed"
import os, re, signal, socket, subprocess, sys, threading, time
aiod, tmp = sys.argv[1:3]
script = os.path.join(tmp, "echo.lua")
RELOADS = 10

def write(version, extra=""):
    with open(script + ".tmp", "w") as f:
        f.write('''
local asyncio = require "asyncio"
local endpoint = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", tonumber(arg[1])}}
asyncio.create_task(function()
  for data, host, port in endpoint:datagrams() do
    endpoint:sendto("v%d " .. data, host, port)
  end
end)
if %d == 1 then  -- only the first generation has this one: it closes at the first commit
  local only = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", tonumber(arg[2])}}
  asyncio.create_task(function()
    for data, host, port in only:datagrams() do only:sendto("only " .. data, host, port) end
  end)
end
%s
''' % (version, version, extra))
    os.rename(script + ".tmp", script)

def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]; s.close()
    return port
port, port_only = free_port(), free_port()
write(1)
errpath = os.path.join(tmp, "stderr")
proc = subprocess.Popen([aiod, script, str(port), str(port_only)], stderr=open(errpath, "w"))
only = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
only.connect(("127.0.0.1", port_only))
only.settimeout(2)
client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client.connect(("127.0.0.1", port))
client.settimeout(2)
failures, stats = [], {"answers": 0}
live = [1]          # the newest version known to be committed
stop = threading.Event()

def ask(n):
    client.send(b"%d" % n)
    answer = client.recv(100).decode()
    m = re.match(r"v(\d+) (\d+)$", answer)
    if not m or int(m.group(2)) != n:
        raise RuntimeError("bad answer %r to %d" % (answer, n))
    return int(m.group(1))

# The first generation is up once it answers.
for _ in range(250):
    try:
        client.settimeout(0.02); ask(0); break
    except (ConnectionRefusedError, socket.timeout):
        time.sleep(0.02)
client.settimeout(2)

def sender():
    n = 1
    while not stop.is_set():
        known = live[0]
        try:
            v = ask(n)
        except Exception as e:
            failures.append("datagram %d: %r" % (n, e)); return
        if v == 6:
            failures.append("answer from v6, which rolled back"); return
        if v < known:
            failures.append("answer from v%d after v%d committed" % (v, known)); return
        stats["answers"] += 1
        n += 1

only.send(b"x")
if only.recv(100) != b"only x":
    failures.append("the first generation's second endpoint did not answer")
thread = threading.Thread(target=sender); thread.start()
for version in range(2, RELOADS + 2):
    rollback = version == 6
    write(version, 'error("raises before it is ready")' if rollback else "")
    proc.send_signal(signal.SIGHUP)
    for _ in range(500):
        if len(re.findall(r"reload \d+ -> \d+: ", open(errpath).read())) >= version - 1:
            break
        time.sleep(0.01)
    else:
        failures.append("reload to v%d never logged" % version)
    if not rollback:
        live[0] = version
    if version == 2:
        try:
            only.send(b"y"); only.recv(100)
            failures.append("the first generation's second endpoint still answers after the commit")
        except ConnectionRefusedError:
            pass
    time.sleep(0.05)
stop.set(); thread.join()
proc.send_signal(signal.SIGTERM)
rc = proc.wait(5)
text = open(errpath).read()
oks = len(re.findall(r"reload \d+ -> \d+: ok in", text))
fails = len(re.findall(r"reload \d+ -> \d+: failed: ", text))
if (oks, fails) != (RELOADS - 1, 1):
    failures.append("%d reloads logged ok and %d failed, expected %d and 1" % (oks, fails, RELOADS - 1))
if rc != 0:
    failures.append("exit code %d" % rc)
if stats["answers"] < 100:
    failures.append("too few answers: %r" % stats)
if failures:
    print("\n".join(failures[:10])); print(text[-2000:]); sys.exit(1)
PY
