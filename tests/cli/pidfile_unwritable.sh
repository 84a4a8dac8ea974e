# a pidfile that cannot be written is a clear error at start (exit 2), before the script runs
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
print("the script ran")
LUA
run --pidfile /nonexistent/dir/aiod.pid s.lua
expect_rc 2
expect_stdout_empty
stderr_has "cannot write pidfile /nonexistent/dir/aiod.pid"
