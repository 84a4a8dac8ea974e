# a task that holds the loop: ps still answers within a second and names the task and its line
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.create_task(function() asyncio.sleep(30) end)
local stop = arg[1]
print("ready")
io.stdout:flush()
local function hold()
  while true do
    local f = io.open(stop)
    if f then f:close() return end
  end
end
hold()
LUA
start --control "$T/c.sock" s.lua "$T/stop"
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
t0=$(date +%s%N)
timeout 5 "$AIOD" ps --control "$T/c.sock" >"$T/ps" 2>"$T/e"; rc=$?
t1=$(date +%s%N)
timeout 5 "$AIOD" stack --control "$T/c.sock" main >"$T/stack" 2>>"$T/e"
touch "$T/stop"
kill -TERM "$BG"
finish 3
expect_rc 143
[ "$rc" = 0 ] || fail "ps of a held loop: exit $rc: $(cat "$T/e")"
[ $(( (t1 - t0) / 1000000 )) -lt 1000 ] || fail "ps took $(( (t1 - t0) / 1000000 )) ms"
grep -q "the loop is held by task 0 (main) at .*s.lua:8" "$T/ps" || { cat "$T/ps"; fail "ps does not name the task that holds the loop"; }
grep -q "main.*running.*s.lua:8" "$T/ps" || { cat "$T/ps"; fail "ps has no running row for main"; }
grep -q "Task-1" "$T/ps" || { cat "$T/ps"; fail "ps lacks the other task"; }
grep -qF "in local 'hold'" "$T/stack" || { cat "$T/stack"; fail "stack of the running task lacks its frames"; }
