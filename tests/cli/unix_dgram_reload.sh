# A Unix datagram echo service reloaded 3 times: the new generation takes the socket over (its file is never removed and bound anew), so a client sending to the path is never refused, and after each commit the answers come from the new generation
. "$(dirname "$0")/lib.bash"
/usr/bin/python3 - "$AIOD" "$T" <<'PY' || fail "Unix datagram reload failed"
import os, re, signal, socket, subprocess, sys, time
aiod, tmp = sys.argv[1:3]
script, path = os.path.join(tmp, "echo.lua"), os.path.join(tmp, "echo.sock")

def write(version):
    with open(script + ".tmp", "w") as f:
        f.write('''
local asyncio = require "asyncio"
local endpoint = asyncio.open_datagram_endpoint{local_path = arg[1]}
asyncio.create_task(function()
  for data, path in endpoint:datagrams() do endpoint:sendto("v%d " .. data, path) end
end)
''' % version)
    os.rename(script + ".tmp", script)

write(1)
errpath = os.path.join(tmp, "stderr")
proc = subprocess.Popen([aiod, script, path], stderr=open(errpath, "w"))
client = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
client.bind(os.path.join(tmp, "client.sock"))
client.settimeout(2)
failures = []
for _ in range(250):
    if os.path.exists(path):
        break
    time.sleep(0.02)
inode = os.stat(path).st_ino

def ask(n):
    client.sendto(b"%d" % n, path)
    return client.recv(100).decode()

n = 0
for version in range(1, 5):
    if version > 1:
        write(version)
        proc.send_signal(signal.SIGHUP)
        for _ in range(500):
            if len(re.findall(r"reload \d+ -> \d+: ok", open(errpath).read())) >= version - 1:
                break
            # the old generation answers until the commit
            n += 1
            try:
                answer = ask(n)
            except OSError as e:
                failures.append("datagram %d during the reload: %r" % (n, e)); break
            if answer not in ("v%d %d" % (version - 1, n), "v%d %d" % (version, n)):
                failures.append("answer %r to %d during reload to v%d" % (answer, n, version))
            time.sleep(0.005)
    n += 1
    try:
        answer = ask(n)
    except OSError as e:
        failures.append("datagram %d: %r" % (n, e)); break
    if answer != "v%d %d" % (version, n):
        failures.append("answer %r to %d after v%d committed" % (answer, n, version))
if os.stat(path).st_ino != inode:
    failures.append("the socket file was made anew")
proc.send_signal(signal.SIGTERM)
rc = proc.wait(5)
if rc != 0:
    failures.append("exit code %d" % rc)
if failures:
    print("\n".join(failures[:10])); print(open(errpath).read()[-2000:]); sys.exit(1)
PY
