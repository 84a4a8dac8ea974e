# the global arg is built as lua does: arg[0] the script, arg[1..] its arguments (options after the script included), negative indices the interpreter and its options
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
print(#arg)
for i = -3, #arg do print(i, arg[i]) end
LUA
run -e 'x=1' s.lua a -v
expect_rc 0
expect_stdout "2" "-3	$AIOD" "-2	-e" "-1	x=1" "0	s.lua" "1	a" "2	-v"
run s.lua
expect_rc 0
expect_stdout "0" "-3	nil" "-2	nil" "-1	$AIOD" "0	s.lua"
