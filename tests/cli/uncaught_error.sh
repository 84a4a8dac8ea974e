# an uncaught error in the main chunk prints the message and a traceback naming the file on stderr and exits 1
. "$(dirname "$0")/lib.bash"
script err.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.sleep(0.01)
error("fatal problem")
LUA
run err.lua
expect_rc 1
stderr_has "err.lua:3: fatal problem"
stderr_has_i traceback
