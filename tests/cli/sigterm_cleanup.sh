# SIGTERM while a task sleeps: the task is cancelled, its <close> handler runs (prints), a batch script exits 143
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.create_task(function()
  local c <close> = setmetatable({}, {__close = function(_, e)
    print("cleanup ran", asyncio.CancelledError:is(e))
  end})
  asyncio.sleep(10)
  print("not reached")
end)
asyncio.sleep(0.01)
print("ready")
io.stdout:flush()
LUA
start s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
kill -TERM "$BG"
finish 3
[ "$FINISHED_IN_TIME" = 1 ] || fail "aiod did not exit within 3 s of SIGTERM"
expect_rc 143
expect_stdout "ready" "cleanup ran	true"
