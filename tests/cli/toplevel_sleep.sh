# the main chunk may suspend at top level without asyncio.run
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
print("before")
print(asyncio.sleep(0.01, "slept"))
LUA
run s.lua
expect_rc 0
expect_stdout "before" "slept"
