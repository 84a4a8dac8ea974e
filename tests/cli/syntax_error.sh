# running a script that does not compile exits 2; stderr names file and line; nothing runs
. "$(dirname "$0")/lib.bash"
script syn.lua <<'LUA'
print("ran")
if then
LUA
run syn.lua
expect_rc 2
stderr_has "syn.lua:2:"
expect_stdout_empty
