# 20 busy clients while a reload raises after start_server and another misses --ready-timeout: no connect refused, no connection cut, every request answered by the old code; then a good reload commits and new connections get the new code
. "$(dirname "$0")/lib.bash"
/usr/bin/python3 - "$AIOD" "$T" <<'PY' || fail "a failed reload disturbed the clients"
import asyncio, os, re, signal, socket, sys
aiod, tmp = sys.argv[1:3]
script = os.path.join(tmp, "echo.lua")
CLIENTS = 20

def write(version, after_start=""):
    with open(script + ".tmp", "w") as f:
        f.write('''
local asyncio = require "asyncio"
local server = asyncio.start_server(function(r, w)
  for line in r:lines() do
    w:write("v%d " .. line)
    w:drain()
  end
end, "127.0.0.1", tonumber(arg[1]))
%s
server:serve_forever()
''' % (version, after_start))
    os.rename(script + ".tmp", script)

async def main():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    write(1)
    errpath = os.path.join(tmp, "stderr")
    proc = await asyncio.create_subprocess_exec(aiod, "--ready-timeout", "0.3", "--grace", "5",
                                                script, str(port), stderr=open(errpath, "w"))
    for _ in range(200):
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port); w.close(); break
        except OSError:
            await asyncio.sleep(0.02)
    failures, stats = [], {"requests": 0, "conns": 0}
    expected = {1}      # the versions a new connection may get now
    stop = False

    async def client(n):
        while not stop:
            allowed = set(expected)
            try:
                r, w = await asyncio.open_connection("127.0.0.1", port)
            except OSError as e:
                failures.append("connect: %r" % e); return
            stats["conns"] += 1
            first = None
            for i in range(8):
                msg = "c%d-%d" % (n, i)
                try:
                    w.write(msg.encode() + b"\n")
                    line = (await r.readline()).decode()
                except OSError as e:
                    failures.append("cut: %r" % e); return
                m = re.match(r"v(\d+) (.*)\n$", line)
                if not m:
                    failures.append("cut: %r after %r" % (line, msg)); return
                v = int(m.group(1))
                if m.group(2) != msg or (first is None and v not in allowed) or (first is not None and v != first):
                    failures.append("answer %r to %r (allowed %r)" % (line, msg, allowed)); return
                first = v
                stats["requests"] += 1
                await asyncio.sleep(0.005)
            w.close()

    def reloads_logged():
        return len(re.findall(r"reload \d+ -> \d+: (ok|failed)", open(errpath).read()))

    async def reload(n):
        proc.send_signal(signal.SIGHUP)
        for _ in range(300):
            if reloads_logged() >= n:
                return
            await asyncio.sleep(0.01)
        failures.append("reload %d never logged" % n)

    tasks = [asyncio.create_task(client(n)) for n in range(CLIENTS)]
    await asyncio.sleep(0.1)
    write(2, 'asyncio.sleep(0.2) error("raises after start_server")')
    await reload(1)
    write(3, 'asyncio.sleep(60)')       # never ready: --ready-timeout rolls it back
    await reload(2)
    conns_before = stats["conns"]
    write(4)
    expected.add(4)                      # the commit may come before or after a connect
    await reload(3)
    expected.discard(1)                  # committed: every new connection gets v4
    await asyncio.sleep(0.1)
    stop = True
    await asyncio.gather(*tasks)
    proc.send_signal(signal.SIGTERM)
    rc = await proc.wait()
    text = open(errpath).read()
    if not re.search(r"reload 1 -> 2: failed: .*raises after start_server", text):
        failures.append("reload 1 -> 2 did not fail as planned")
    if "reload 1 -> 3: failed: not ready within 0.3 s" not in text:
        failures.append("reload 1 -> 3 did not time out")
    if "reload 1 -> 4: ok" not in text:
        failures.append("reload 1 -> 4 did not commit")
    if rc != 0:
        failures.append("exit code %d" % rc)
    if conns_before < 3 * CLIENTS or stats["conns"] - conns_before < CLIENTS:
        failures.append("too little load: %r (%d before the good reload)" % (stats, conns_before))
    if failures:
        print("\n".join(failures[:10])); print(stats); print(text[-2000:]); sys.exit(1)

asyncio.run(main())
PY
