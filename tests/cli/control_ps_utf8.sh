# aiod ps lines UTF-8 task names up by characters, cut or not (string.format pads by bytes)
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local q = asyncio.Queue()
for _, name in ipairs{"plain", "ünï", "ünïcödé-wäïtér-with-a-name-too-long"} do
  asyncio.create_task(function() q:get() end):set_name(name)
end
asyncio.sleep(0)
print("ready")
io.stdout:flush()
asyncio.sleep(30)
LUA
start --control "$T/ctl.sock" s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
"$AIOD" ps --control "$T/ctl.sock" >"$T/ps.out" 2>"$T/ps.err" || { finish 1; cat "$T/ps.err"; fail "ps failed"; }
kill -TERM "$BG"
finish 3
# The STATE column starts at the same character in every task's row.
/usr/bin/python3 - "$T/ps.out" <<'PY' || { cat "$T/ps.out"; fail "ps rows do not line up"; }
import sys
rows = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if "Queue.get" in l]
cols = {l.index(" waiting ") for l in rows}
assert len(rows) == 3 and len(cols) == 1, (len(rows), cols)
assert all(len(l) <= 80 for l in rows)
PY
