# loop:add_signal_handler runs fn(args...) from the loop on each signal; remove_signal_handler stops that; the handler alone does not keep aiod running
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local loop = asyncio.get_running_loop()
local got = 0
local done = loop:create_future()
loop:add_signal_handler("USR2", function(tag, n)
  got = got + 1
  print(tag, n, got, asyncio.current_task())
  io.stdout:flush()
  if got == 2 then
    print("removed", loop:remove_signal_handler("SIGUSR2"))
    done:set_result(true)
  end
end, "usr2", 7)
print("ready")
io.stdout:flush()
done:await()
LUA
start s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
kill -USR2 "$BG"
wait_for_text "$OUT" "usr2	7	1" || { finish 1; fail "the handler did not run"; }
kill -USR2 "$BG"
finish 3
[ "$FINISHED_IN_TIME" = 1 ] || fail "aiod did not end once the main chunk did"
expect_rc 0
expect_stdout "ready" "usr2	7	1	nil" "usr2	7	2	nil" "removed	true"
