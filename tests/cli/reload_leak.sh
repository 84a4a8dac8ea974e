# 50 reloads of a chunk that returns a big table (every fifth one raising before it is ready): the Lua heap stays flat, an ended generation's main task and result are let go
. "$(dirname "$0")/lib.bash"
/usr/bin/python3 - "$AIOD" "$T" <<'PY' || fail "the heap grows with reloads"
import os, re, signal, socket, subprocess, sys, time
aiod, tmp = sys.argv[1:3]
RELOADS = 50
script = os.path.join(tmp, "big.lua")
with open(script, "w") as f: f.write('''
local asyncio = require "asyncio"
local aiod = require "aiod"
-- A service from its start_server on: a SIGHUP before it would stop a batch script.
asyncio.start_server(function(r, w) w:write("gen " .. aiod.generation .. "\\n") end,
  "127.0.0.1", tonumber(arg[1]))
collectgarbage() collectgarbage()
aiod.log("info", "generation %d heap %.0f", aiod.generation, collectgarbage("count") * 1024)
local big = {}
for i = 1, 20000 do big[i] = i + 0.5 end   -- 512 kB, kept only while its generation serves
if aiod.generation % 5 == 0 then error("raises before it is ready") end
return big
''')
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
errpath = os.path.join(tmp, "stderr")
p = subprocess.Popen([aiod, script, str(port)], stderr=open(errpath, "w"))
def log(): return open(errpath).read()
def wait_for(pattern):
    for _ in range(1000):
        if re.search(pattern, log()): return
        time.sleep(0.005)
    raise SystemExit("never logged %r:\n%s" % (pattern, log()[-2000:]))
wait_for(r"generation 1 heap")
for g in range(2, RELOADS + 2):
    p.send_signal(signal.SIGHUP)
    wait_for(r"reload \d+ -> %d: (ok|failed)" % g)
p.send_signal(signal.SIGTERM)
assert p.wait(timeout=5) == 0
heaps = [int(x) for x in re.findall(r"generation \d+ heap (\d+)", log())]
assert len(heaps) == RELOADS + 1, heaps
# Each generation measures while the one before it still serves (one big
# table): from the third on the heap is one table and the same small rest.
base = heaps[2]
grown = max(heaps[2:]) - base
assert grown < 8192, "heap grew by %d bytes over %d reloads: %r" % (grown, RELOADS - 2, heaps)
PY
