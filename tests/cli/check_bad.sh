# -c on a script with a syntax error exits 2 and names the file and line on stderr
. "$(dirname "$0")/lib.bash"
script bad.lua <<'LUA'
print("ran")
local x = 1
local y = = 2
LUA
for opt in -c --check; do
	run "$opt" bad.lua
	expect_rc 2
	stderr_has "bad.lua:3:"
	expect_stdout_empty
done
