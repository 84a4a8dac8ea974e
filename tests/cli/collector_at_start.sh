# the collector, paused while aiod builds its state, runs when the script does, unless a -e chunk stopped it; garbage made at start is collected later
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
print(collectgarbage("isrunning"))
local asyncio = require "asyncio"
asyncio.sleep(0)
print(collectgarbage("isrunning"))
-- A finalizer of the script's runs when its object is collected.
setmetatable({}, {__gc = function() print("collected") end})
for _ = 1, 20000 do local _ = {} end
collectgarbage()
LUA
run s.lua
expect_rc 0
expect_stdout true true collected
run -e 'collectgarbage("stop")' s.lua
expect_rc 0
expect_stdout false false collected
run -e 'print(collectgarbage("isrunning"))'
expect_rc 0
expect_stdout true
