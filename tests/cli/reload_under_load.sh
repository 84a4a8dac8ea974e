# 50 busy connections while the script is reloaded 20 times (one reload does not compile, one raises before ready): no connect or request fails, each connection keeps the code it started with, new ones get the newest
. "$(dirname "$0")/lib.bash"
/usr/bin/python3 - "$AIOD" "$T" <<'PY' || fail "reload under load failed"
import asyncio, os, random, re, signal, socket, sys, time
aiod, tmp = sys.argv[1:3]
script = os.path.join(tmp, "echo.lua")
RELOADS, CONNS = 20, 50

def write(version, extra=""):
    with open(script + ".tmp", "w") as f:
        f.write('''
local asyncio = require "asyncio"
%s
local server = asyncio.start_server(function(r, w)
  for line in r:lines() do
    w:write("v%d " .. line)
    w:drain()
  end
end, "127.0.0.1", tonumber(arg[1]))
server:serve_forever()
''' % (extra, version))
    os.rename(script + ".tmp", script)

async def main():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    write(1)
    errpath = os.path.join(tmp, "stderr")
    proc = await asyncio.create_subprocess_exec(aiod, "--grace", "5", script, str(port),
                                                stderr=open(errpath, "w"))
    live = 1          # the newest version known to be committed
    failures = []
    stop = False
    for _ in range(200):
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port); w.close(); break
        except OSError:
            await asyncio.sleep(0.02)
    stats = {"requests": 0, "conns": 0}

    async def client(n):
        while not stop:
            known = live
            try:
                r, w = await asyncio.open_connection("127.0.0.1", port)
            except OSError as e:
                failures.append("connect: %r" % e); return
            stats["conns"] += 1
            first = None
            for i in range(random.randint(5, 40)):
                msg = "c%d-%d\n" % (n, i)
                w.write(msg.encode())
                line = (await r.readline()).decode()
                m = re.match(r"v(\d+) (.*)\n$", line)
                if not m or m.group(2) != msg.strip():
                    failures.append("bad answer %r to %r" % (line, msg)); return
                v = int(m.group(1))
                if first is None:
                    first = v
                    if v < known:
                        failures.append("new connection got v%d after v%d committed" % (v, known)); return
                elif v != first:
                    failures.append("connection switched from v%d to v%d" % (first, v)); return
                stats["requests"] += 1
            w.close()

    tasks = [asyncio.create_task(client(n)) for n in range(CONNS)]
    version, reloads_seen = 1, 0
    for k in range(RELOADS):
        version += 1
        if k == 6:
            with open(script, "a") as f: f.write("not lua at all (\n")
        elif k == 12:
            write(version, 'error("raises before it is ready")')
        else:
            write(version)
        proc.send_signal(signal.SIGHUP)
        reloads_seen += 1
        for _ in range(500):
            text = open(errpath).read()
            if len(re.findall(r"reload \d+ -> \d+: (ok|failed)", text)) >= reloads_seen:
                break
            await asyncio.sleep(0.01)
        else:
            failures.append("reload %d never logged" % version)
        if k not in (6, 12):
            live = version
        await asyncio.sleep(0.1)
    stop = True
    await asyncio.gather(*tasks)
    proc.send_signal(signal.SIGTERM)
    rc = await proc.wait()
    text = open(errpath).read()
    oks = len(re.findall(r": ok in", text)); fails = len(re.findall(r": failed: ", text))
    if (oks, fails) != (RELOADS - 2, 2):
        failures.append("expected %d ok and 2 failed reloads, log says %d and %d" % (RELOADS - 2, oks, fails))
    if rc != 0:
        failures.append("exit code %d" % rc)
    if stats["requests"] < 1000:
        failures.append("too little load: %r" % stats)
    if failures:
        print("\n".join(failures[:10])); print(text[-2000:]); sys.exit(1)

asyncio.run(main())
PY
