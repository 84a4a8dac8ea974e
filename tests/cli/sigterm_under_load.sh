# SIGTERM while 50 connections are busy: every handler's cleanup runs, the clients see their connections end, exit 0
. "$(dirname "$0")/lib.bash"
/usr/bin/python3 - "$AIOD" "$T" <<'PY' || fail "SIGTERM under load misbehaved"
import asyncio, os, re, signal, socket, sys
aiod, tmp = sys.argv[1:3]
script = os.path.join(tmp, "s.lua")
open(script, "w").write('''
local asyncio = require "asyncio"
local aiod = require "aiod"
local server = asyncio.start_server(function(r, w)
  local _ <close> = setmetatable({}, {__close = function(_, err)
    aiod.log("info", "cleanup (%s)", asyncio.CancelledError:is(err) and "cancelled" or tostring(err))
  end})
  for line in r:lines() do
    w:write(line)
    w:drain()
  end
end, "127.0.0.1", tonumber(arg[1]))
server:serve_forever()
''')
async def main():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    errpath = os.path.join(tmp, "stderr")
    proc = await asyncio.create_subprocess_exec(aiod, script, str(port), stderr=open(errpath, "w"))
    for _ in range(200):
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port); break
        except OSError:
            await asyncio.sleep(0.02)
    w.close()
    ended = 0
    async def client(n):
        nonlocal ended
        r, w = await asyncio.open_connection("127.0.0.1", port)
        while True:
            w.write(b"ping %d\n" % n)
            try:
                line = await r.readline()
            except ConnectionError:
                line = b""
            if not line:
                ended += 1
                return
    tasks = [asyncio.create_task(client(n)) for n in range(50)]
    await asyncio.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    rc = await proc.wait()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    log = open(errpath).read()
    cleanups = len(re.findall(r"cleanup \(cancelled\)", log))
    assert rc == 0, rc
    assert ended == 50, ended
    assert cleanups == 50, (cleanups, log[-500:])
asyncio.run(main())
PY
