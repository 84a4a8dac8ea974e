# SIGHUP to a service (it started a server) before its first generation is ready is kept until it is; aiod.ready() is readiness too; the aiod module's fields
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local aiod = require "aiod"
print("generation", aiod.generation, type(aiod.state), type(aiod.ready), type(aiod.log))
io.stdout:flush()
aiod.state.n = (aiod.state.n or 0) + 1
if aiod.generation == 1 then
  local server = asyncio.start_server(function() end, "127.0.0.1", 0)  -- a service now
  asyncio.sleep(0.3)   -- not ready yet: a SIGHUP now waits
  aiod.ready()
  aiod.log("info", "generation 1 ready")
  asyncio.sleep(0.5)   -- still running: its reload cancels it
else
  aiod.log("info", "generation %d sees n = %d", aiod.generation, aiod.state.n)
end
LUA
cd "$T"
"$AIOD" s.lua </dev/null >"$OUT" 2>"$ERR" &
pid=$!
( sleep 10; kill -KILL $pid 2>/dev/null ) &
watchdog=$!
sleep 0.1
kill -HUP $pid || fail "aiod not running"
wait $pid
RC=$?
kill $watchdog 2>/dev/null
expect_rc 0
expect_stdout "generation	1	table	function	function" "generation	2	table	function	function"
grep -q "generation 1 ready" "$ERR" || fail "generation 1 not ready"
sed -n '/generation 1 ready/,$p' "$ERR" | grep -q "reload 1 -> 2: ok" || fail "reload did not wait for readiness"
stderr_has "generation 2 sees n = 2"
