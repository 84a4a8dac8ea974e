# when nothing can ever wake the main task, aiod says so, names what it waits on (through awaited tasks) and where, and exits 1
. "$(dirname "$0")/lib.bash"
script event.lua <<'LUA'
local asyncio = require "asyncio"
local ev = asyncio.Event()
ev:wait()
LUA
run event.lua
expect_rc 1
stderr_has "aiod: the main task can never finish: nothing is left that could wake it; it waits on <Future pending>"
stderr_has "event.lua:3: in main chunk"
stdout_lacks "cancelled"
! grep -q "was cancelled" "$ERR" || fail "a deadlock reported as a cancellation"
script chain.lua <<'LUA'
local asyncio = require "asyncio"
local never = asyncio.get_running_loop():create_future()
local t = asyncio.create_task(function() never:await() end)
t:await()
LUA
run chain.lua
expect_rc 1
stderr_has "it waits on <Task pending name='Task-1'"
stderr_has ", which waits on <Future pending>"
stderr_has "chain.lua:4: in main chunk"
script queue.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.Queue():get()
LUA
run queue.lua
expect_rc 1
stderr_has "it waits for I/O, a queue or a thread"
