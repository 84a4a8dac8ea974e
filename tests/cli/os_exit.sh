# os.exit(n) ends aiod at once with code n, even with tasks still pending
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.create_task(function() asyncio.sleep(5) print("not printed") end)
asyncio.sleep(0.01)
print("exiting")
io.stdout:flush()
os.exit(5)
LUA
run s.lua
expect_rc 5
expect_stdout "exiting"
