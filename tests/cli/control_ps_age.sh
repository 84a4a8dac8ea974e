# aiod ps --json gives each task's age since it was made (kept in its coroutine's extra space) and its resumes
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.sleep(0.3)
asyncio.create_task(function() asyncio.sleep(30) end):set_name("young")
print("ready")
io.stdout:flush()
asyncio.sleep(30)
LUA
start --control "$T/ctl.sock" s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
"$AIOD" ps --json --control "$T/ctl.sock" >"$T/ask.out" 2>"$T/ask.err" || { finish 1; cat "$T/ask.err"; fail "ps failed"; }
"$AIOD" -e '
local t = require("cjson").decode(io.read("a")).tasks
local by = {}
for _, task in ipairs(t) do by[task.name] = task end
local main, young = by.main, by.young
assert(main and young, "main and young listed")
assert(main.age >= 0.3 and main.age < 10, "main age " .. main.age)
assert(young.age >= 0 and young.age < main.age - 0.2, "young age " .. young.age .. " vs main " .. main.age)
assert(young.resumes == 1, "young resumes " .. young.resumes)
print("ages ok")' <"$T/ask.out" | grep -q "ages ok" || { finish 1; cat "$T/ask.out"; fail "ps --json ages are off"; }
kill -TERM "$BG"
finish 3
expect_rc 143
