# a second SIGTERM during a slow cleanup makes aiod exit at once, without finishing the cleanup, and removes its control socket
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.create_task(function()
  pcall(asyncio.sleep, 10)
  print("cleanup start")
  io.stdout:flush()
  asyncio.sleep(5)
  print("cleanup end")
end)
asyncio.sleep(0.01)
print("ready")
io.stdout:flush()
LUA
start --control "$T/c.sock" s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
kill -TERM "$BG"
wait_for_text "$OUT" "cleanup start" || { finish 1; fail "cleanup did not start after the first SIGTERM"; }
kill -TERM "$BG"
finish 1
[ "$FINISHED_IN_TIME" = 1 ] || fail "aiod did not exit within 1 s of the second SIGTERM"
stdout_lacks "cleanup end"
# What atexit would do is done in the handler: no control socket is left.
[ ! -e "$T/c.sock" ] || fail "the control socket is left after the second SIGTERM"
