# a script's add_signal_handler for TERM, INT or HUP takes the signal over from aiod (no stop, no reload); remove_signal_handler gives it back
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local loop = asyncio.get_running_loop()
local server = asyncio.start_server(function() end, "127.0.0.1", 0)  -- a service: HUP would reload
local n = 0
for _, sig in ipairs{"TERM", "INT", "HUP"} do
  loop:add_signal_handler(sig, function()
    n = n + 1
    print("handled", sig)
    io.stdout:flush()
    if n == 3 then
      for _, s in ipairs{"TERM", "INT", "HUP"} do loop:remove_signal_handler(s) end
      print("given back")
      io.stdout:flush()
    end
  end)
end
print("ready")
io.stdout:flush()
server:serve_forever()
LUA
start s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
kill -TERM "$BG"
wait_for_text "$OUT" "handled	TERM" || { finish 1; fail "the TERM handler did not run"; }
kill -INT "$BG"
wait_for_text "$OUT" "handled	INT" || { finish 1; fail "the INT handler did not run"; }
kill -HUP "$BG"
wait_for_text "$OUT" "given back" || { finish 1; fail "the HUP handler did not run"; }
kill -0 "$BG" 2>/dev/null || { finish 1; fail "aiod stopped though the script handled the signals"; }
kill -TERM "$BG"
finish 3
[ "$FINISHED_IN_TIME" = 1 ] || fail "SIGTERM did not stop aiod once the handler was removed"
expect_rc 0
expect_stdout "ready" "handled	TERM" "handled	INT" "handled	HUP" "given back"
! grep -q "reload" "$ERR" || fail "aiod reloaded though the script handled SIGHUP"
