# while a task runs without suspending, the first SIGTERM interrupts it (its cleanup runs, exit 143); a task that swallows that too is ended by the second SIGTERM at once, from the signal handler
. "$(dirname "$0")/lib.bash"
script spin.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.create_task(function()
  local c <close> = setmetatable({}, {__close = function() print("spinner cleanup") end})
  print("spinning")
  io.stdout:flush()
  while true do end
end)
LUA
start spin.lua
wait_for_text "$OUT" spinning || { finish 1; fail "the task did not start"; }
kill -TERM "$BG"
finish 3
[ "$FINISHED_IN_TIME" = 1 ] || fail "the first SIGTERM did not interrupt the spinning task"
expect_rc 143
expect_stdout "spinning" "spinner cleanup"

script stubborn.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.create_task(function()
  print("spinning")
  io.stdout:flush()
  while true do pcall(function() while true do end end) end
end)
LUA
start stubborn.lua
wait_for_text "$OUT" spinning || { finish 1; fail "the task did not start"; }
sleep 0.1  # into the inner loop, where the interruption is caught
kill -TERM "$BG"
sleep 0.1
kill -0 "$BG" 2>/dev/null || { finish 1; fail "the first SIGTERM already ended aiod"; }
kill -TERM "$BG"
finish 2
[ "$FINISHED_IN_TIME" = 1 ] || fail "the second SIGTERM did not end aiod while its task spun"
expect_rc 143
