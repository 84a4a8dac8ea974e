# after a reload, once the old generation's last connection ends and nothing else is left, aiod exits: the --grace period does not keep it running
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local aiod = require "aiod"
local srv = asyncio.start_unix_server(function(reader) reader:read() end, "s.sock")
if aiod.generation == 2 then
  asyncio.sleep(0.05)
  srv:close()
  print("gen 2 closed its server")
  io.stdout:flush()
  return
end
print("ready")
io.stdout:flush()
srv:serve_forever()
LUA
start --grace 30 s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
python3 - "$T/s.sock" "$BG" "$OUT" <<'PY' || { finish 1; fail "the old connection was not kept through the reload"; }
import os, signal, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
os.kill(int(sys.argv[2]), signal.SIGHUP)
for _ in range(100):
    if b"gen 2 closed" in open(sys.argv[3], "rb").read():
        break
    time.sleep(0.02)
else:
    sys.exit(1)
time.sleep(0.1)
s.send(b"x")   # the old generation's handler still reads it: the connection is alive
s.close()
PY
finish 3
[ "$FINISHED_IN_TIME" = 1 ] || fail "aiod kept running through --grace after its last connection ended"
expect_rc 0
