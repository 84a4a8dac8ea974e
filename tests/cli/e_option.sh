# -e CODE runs before the script, in the same global environment, in order (as lua -e)
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
print(x, y)
LUA
run -e 'x = 1' -e 'y = x + 1' s.lua
expect_rc 0
expect_stdout "1	2"
