# an uncaught asyncio error object in the main chunk is shown with tostring ("Name: message") on stderr; exit 1
. "$(dirname "$0")/lib.bash"
script err.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.sleep(0)
error(asyncio.TimeoutError("too late"))
LUA
run err.lua
expect_rc 1
stderr_has "TimeoutError: too late"
