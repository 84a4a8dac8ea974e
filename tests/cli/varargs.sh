# the main chunk receives the script arguments as ... (as with lua)
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
print(select("#", ...), ...)
LUA
run s.lua one two
expect_rc 0
expect_stdout "2	one	two"
