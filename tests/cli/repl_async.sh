# aiod -i through a pipe: entries are tasks, so they may await; a task started in one entry runs on and is seen from the next; an error entry reports and the REPL goes on
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/repl_lib.bash"
repl <<'IN'
asyncio.sleep(0.01) return "slept"
t = asyncio.create_task(function() asyncio.sleep(0.02) return 7 end) return t:done()
t:await(), t:done()
error("boom")
local n = nil; return n.field
"still here"
asyncio.get_running_loop():is_running()
IN
expect_rc 0
expect_stdout slept false "7	true" "still here" true
stderr_has "stdin:1: boom"
stderr_has "stack traceback of task 'repl'"
stderr_has "attempt to index a nil value (local 'n')"
