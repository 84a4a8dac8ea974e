# aiod -i script: the prompt follows the script's main chunk (its globals and arguments are there); the input's end is the script's end, so aiod runs on while tasks remain; a script that fails or does not compile gets no prompt
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/repl_lib.bash"
script main.lua <<'EOF2'
local asyncio = require "asyncio"
greeting = "hello " .. ...
asyncio.sleep(0.01)
print("script done")
return 3
EOF2
repl main.lua world <<'IN'
greeting
asyncio.create_task(function() asyncio.sleep(0.05) print("late task") end) return nil
IN
expect_rc 3
expect_stdout "script done" "hello world" nil "late task"
# -e before the script, and -e alone as the main task, then the prompt.
repl -e 'x = 9' <<<'x'
expect_rc 0
expect_stdout 9
script bad.lua <<<'this is not lua'
repl bad.lua <<<'"not read"'
expect_rc 2
stderr_has "bad.lua:1"
expect_stdout_empty
script fails.lua <<<'error("script failed")'
repl fails.lua <<<'"not read"'
expect_rc 1
stderr_has "script failed"
expect_stdout_empty
# Empty input: nothing to do, exit 0.
repl </dev/null
expect_rc 0
expect_stdout_empty
