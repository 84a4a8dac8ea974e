# aiod -e CODE with no script: CODE is the main task (it may suspend; asyncio is a global), its return value the status; arg as lua makes it
. "$(dirname "$0")/lib.bash"
run -e 'asyncio.sleep(0.01) print("hi")'
expect_rc 0
expect_stdout "hi"
run -e 'x = 1' -e 'asyncio.sleep(0.01) print(x, #arg, arg[1], arg[2], arg[3]) return 3'
expect_rc 3
expect_stdout "1	4	-e	x = 1	-e"
run -e 'asyncio.sleep(0.01) error("boom")'
expect_rc 1
stderr_has "boom"
run -e 'syntax error here'
expect_rc 1
run -c -e 'x = 1'
expect_rc 2
stderr_has "needs a script"
