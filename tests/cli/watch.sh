# --watch: saving the script or a module from its folder reloads once per save; the module loads anew
. "$(dirname "$0")/lib.bash"
printf 'return {greeting = function() return "hello 1" end}\n' >"$T/helper.lua"
script w.lua <<'LUA'
local asyncio = require "asyncio"
local aiod = require "aiod"
local helper = require "helper"
aiod.log("info", "generation %d says %s", aiod.generation, helper.greeting())
aiod.ready()
if aiod.generation == 3 then asyncio.sleep(0.1) os.exit(0) end
asyncio.sleep(2)
LUA
cd "$T"
"$AIOD" --watch w.lua </dev/null >"$OUT" 2>"$ERR" &
pid=$!
( sleep 10; kill -KILL $pid 2>/dev/null ) &
watchdog=$!
sleep 0.2
# an editor's save: write a copy, then rename it over the module
printf 'return {greeting = function() return "hello 2" end}\n' >helper.lua.new
mv helper.lua.new helper.lua
sleep 0.4
# and the script itself, saved the same way (a copy renamed over it)
cp w.lua w.lua.new
mv w.lua.new w.lua
wait $pid
RC=$?
kill $watchdog 2>/dev/null
expect_rc 0
stderr_has "generation 1 says hello 1"
stderr_has "generation 2 says hello 2"
stderr_has "reload 1 -> 2: ok"
stderr_has "reload 2 -> 3: ok"
[ "$(grep -c 'reload' "$ERR")" = 2 ] || fail "one reload per save expected"
