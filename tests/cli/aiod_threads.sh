# AIOD_THREADS sets the size of the to_thread pool: with 1 thread, blocking calls take turns; by default 4 run at once
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local loop = asyncio.get_running_loop()
local started = loop:time()
local calls = {}
for i = 1, 4 do
  calls[i] = function() asyncio.to_thread(function() os.execute("sleep 0.2") end) end
end
asyncio.gather(table.unpack(calls))
local took = loop:time() - started
print(took < 0.6 and "together" or "in turn")
LUA
run s.lua
expect_rc 0
expect_stdout "together"
(cd "$T" && AIOD_THREADS=1 timeout 10 "$AIOD" s.lua </dev/null >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
expect_stdout "in turn"
(cd "$T" && AIOD_THREADS=garbage timeout 10 "$AIOD" s.lua </dev/null >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
expect_stdout "together"
