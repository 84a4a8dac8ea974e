# aiod ps, pstree, stack and stats read a running service through its control socket
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local q = asyncio.Queue()
asyncio.create_task(function() q:get() end):set_name("getter")
asyncio.create_task(function()
  asyncio.gather(function() asyncio.sleep(30) end, function() q:get() end)
end):set_name("gatherer")
local srv = asyncio.start_server(function(r) r:read() end, "127.0.0.1", 0)
print("ready")
io.stdout:flush()
srv:serve_forever()
LUA
start --control "$T/ctl.sock" s.lua
wait_for_text "$OUT" ready || { finish 1; fail "aiod did not get ready"; }
sock=$T/ctl.sock
[ "$(stat -c %a "$sock")" = 600 ] || { finish 1; fail "socket mode $(stat -c %a "$sock"), not 600"; }
ask() { "$AIOD" "$@" --control "$sock" >"$T/ask.out" 2>"$T/ask.err"; ASK_RC=$?; }
has() { grep -qF -- "$1" "$T/ask.out" || { finish 1; echo "--- $T/ask.out:"; cat "$T/ask.out" "$T/ask.err"; fail "output lacks '$1'"; }; }

ask ps
[ "$ASK_RC" = 0 ] || { finish 1; fail "ps exited $ASK_RC"; }
has "ID NAME"
has "getter"
has "Queue.get"
has "s.lua:3"
has "serve_forever"
grep -Eq "sleep (29|30)\.[0-9]s left" "$T/ask.out" || { finish 1; cat "$T/ask.out"; fail "ps lacks the sleeper's time left"; }
! grep -q "aiod control" "$T/ask.out" || { finish 1; fail "ps lists its own request"; }
awk 'length > 80 { exit 1 }' "$T/ask.out" || { finish 1; fail "ps wider than 80 columns"; }

ask pstree
has "gatherer (2) awaiting gather"
grep -q '^|-- \[gather\] Task-3 (3) sleeping' "$T/ask.out" || { finish 1; cat "$T/ask.out"; fail "pstree: the sleeper is not under the gather"; }
grep -q '^`-- \[gather\] Task-4 (4) waiting Queue.get' "$T/ask.out" || { finish 1; cat "$T/ask.out"; fail "pstree: the getter is not under the gather"; }

ask stack getter
has "task 1 (getter), waiting, Queue.get"
has "in function 'asyncio.Queue.get'"
ask stack 2
has "task 2 (gatherer)"

ask stats
has "tasks          5"
has "servers        1"
has "endpoints      0"
has "loop lag       p50"

ask ps --json
"$AIOD" -e 'local t = require("cjson").decode(io.read("a")) assert(#t.tasks == 5 and t.pid > 0 and t.generation == 1) print("json ok")' <"$T/ask.out" | grep -q "json ok" || { finish 1; cat "$T/ask.out"; fail "ps --json is not the documented document"; }

kill -TERM "$BG"
finish 3
expect_rc 0
[ ! -e "$sock" ] || fail "the control socket is left after exit"
