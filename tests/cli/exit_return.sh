# the integer the main chunk returns is the exit code; returning nothing or 0 exits 0
. "$(dirname "$0")/lib.bash"
script three.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.sleep(0.01)
return 3
LUA
script none.lua <<'LUA'
print("no return")
LUA
script zero.lua <<'LUA'
return 0
LUA
run three.lua
expect_rc 3
run none.lua
expect_rc 0
expect_stdout "no return"
run zero.lua
expect_rc 0
