# an unknown option is bad usage: exit 2 with a message on stderr; the script does not run
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
print("ran")
LUA
run --no-such-option s.lua
expect_rc 2
stderr_nonempty
expect_stdout_empty
