# a script file that does not exist: exit 2 with a message naming the file
. "$(dirname "$0")/lib.bash"
run no_such_script.lua
expect_rc 2
stderr_has no_such_script.lua
