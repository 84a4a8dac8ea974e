# an uncaught TimeoutError (of a timeout scope, of wait_for) shows the script's line where the task was waiting, not asyncio's internals; exit 1
. "$(dirname "$0")/lib.bash"
script scope.lua <<'LUA'
local asyncio = require "asyncio"
local function waiter()
  local t <close> = asyncio.timeout(0.01)
  asyncio.sleep(1)
end
waiter()
LUA
run scope.lua
expect_rc 1
stderr_has "aiod: TimeoutError"
stderr_has "scope.lua:4: in local 'waiter'"
stderr_has "scope.lua:6: in main chunk"
! grep -q "in function <tasks.lua" "$ERR" || fail "the traceback starts in asyncio's timeout scope"

script waitfor.lua <<'LUA'
local asyncio = require "asyncio"
local function slow() asyncio.sleep(1) end
asyncio.wait_for(slow, 0.01)
LUA
run waitfor.lua
expect_rc 1
stderr_has "aiod: TimeoutError"
stderr_has "waitfor.lua:3: in main chunk"
! grep -q "in function <tasks.lua" "$ERR" || fail "the traceback starts in asyncio's timeout scope"

script zero.lua <<'LUA'
local asyncio = require "asyncio"
local function slow() asyncio.sleep(1) end
asyncio.wait_for(slow, 0)
LUA
run zero.lua
expect_rc 1
stderr_has "aiod: TimeoutError"
stderr_has "zero.lua:3: in main chunk"
