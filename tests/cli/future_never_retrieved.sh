# only a failed future or task nobody retrieved has a finalizer (its reporter): a plain Future's error is reported once collected, one retrieved is not, and neither class has __gc
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
print(getmetatable(asyncio.Future()).__gc, getmetatable(asyncio.create_task(function() end)).__gc)
local function fail(msg)
  local f = asyncio.Future()
  f:set_exception(msg)
  return f
end
fail("dropped future error")
fail("seen future error"):exception()
local t = asyncio.create_task(function() error("seen task error", 0) end)
asyncio.sleep(0)
assert(t:exception() == "seen task error")
t = nil
collectgarbage()
collectgarbage()
print("collected")
LUA
run s.lua
expect_rc 0
expect_stdout "nil	nil" "collected"
stderr_has "Future exception was never retrieved"
stderr_has "<Future finished>: dropped future error"
! grep -q "seen" "$ERR" || fail "a retrieved error was reported"
