# SIGINT stops gracefully like SIGTERM (cleanup runs) but exits 130
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.create_task(function()
  local ok, e = pcall(asyncio.sleep, 10)
  print("task cleanup", e.name)
  error(e)
end)
asyncio.sleep(0.01)
print("ready")
io.stdout:flush()
LUA
start s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
kill -INT "$BG"
finish 3
[ "$FINISHED_IN_TIME" = 1 ] || fail "aiod did not exit within 3 s of SIGINT"
expect_rc 130
expect_stdout "ready" "task cleanup	CancelledError"
