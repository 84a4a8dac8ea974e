# wait_readable and add_reader on a pipe given as stdin: a timeout gives false, a cancelled
# wait leaves nothing behind, readiness gives true; a reader added at top level keeps aiod
# running after the main code returned, as a server does, and an error in it is reported
# while the reader stays; removing it at end of file lets aiod exit.
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local loop = asyncio.get_running_loop()
io.stdin:setvbuf("no")	-- read no further than asked: what is left stays readable
asyncio.run(function()
  print("timeout", asyncio.wait_readable(0, 0.05))
  local t = asyncio.create_task(function() return asyncio.wait_readable(0) end)
  asyncio.sleep(0.02)
  t:cancel()
  local ok, e = pcall(t.await, t)
  print("cancelled", ok, asyncio.CancelledError:is(e))
  print("ready", asyncio.wait_readable(0))
  print("line", io.read("l"))
end)
loop:add_reader(0, function()
  local line = io.read("l")
  if line == "two" then error("cannot take two") end
  if line then print("got", line) else print("end of file") loop:remove_reader(0) end
  io.stdout:flush()
end)
print("main code done")
io.stdout:flush()
LUA
(cd "$T" && { sleep 0.3; echo one; sleep 0.1; echo two; echo three; sleep 0.1; } |
	timeout 10 "$AIOD" s.lua >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
expect_stdout "timeout	false" "cancelled	false	true" "ready	true" "line	one" "main code done" \
	"got	three" "end of file"
stderr_has "Exception in callback:"
stderr_has "cannot take two"
