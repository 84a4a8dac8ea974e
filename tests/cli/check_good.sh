# -c / --check compiles a good script without running it: exit 0, nothing printed
. "$(dirname "$0")/lib.bash"
script good.lua <<'LUA'
local asyncio = require "asyncio"
print("ran")
asyncio.sleep(0.01)
LUA
for opt in -c --check; do
	run "$opt" good.lua
	expect_rc 0
	expect_stdout_empty
done
