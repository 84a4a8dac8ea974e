# wait_readable and add_reader on a pipe given as stdin: a timeout gives false, a cancelled
# wait leaves nothing behind, readiness gives true; a reader added at top level keeps aiod
# running after the main code returned, as a server does, and an error in it is reported
# while the reader stays; removing it at end of file lets aiod exit.
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
local loop = asyncio.get_running_loop()
io.stdin:setvbuf("no")	-- read no further than asked: what is left stays readable
asyncio.run(function()
  print("timeout", asyncio.wait_readable(0, 0.05))
  local t = asyncio.create_task(function() return asyncio.wait_readable(0) end)
  asyncio.sleep(0.02)
  t:cancel()
  local ok, e = pcall(t.await, t)
  print("cancelled", ok, asyncio.CancelledError:is(e))
  print("ready", asyncio.wait_readable(0))
  print("line", io.read("l"))
end)
loop:add_reader(0, function()
  local line = io.read("l")
  if line == "two" then error("cannot take two") end
  if line then print("got", line) else print("end of file") loop:remove_reader(0) end
  io.stdout:flush()
end)
print("main code done")
io.stdout:flush()
LUA
(cd "$T" && { sleep 0.3; echo one; sleep 0.1; echo two; echo three; sleep 0.1; } |
	timeout 10 "$AIOD" s.lua >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
expect_stdout "timeout	false" "cancelled	false	true" "ready	true" "line	one" "main code done" \
	"got	three" "end of file"
stderr_has "Exception in callback:"
stderr_has "cannot take two"

# Descriptors closed under their hooks, found as the one number io.open opened. /dev/null
# is ready on every turn (epoll refuses it, so it is as poll says): the hook is dropped
# with a word at the next turn, never called for what the number is now, also when aiod
# reused the number for a connection; a task waiting on it gets OSError (EBADF). A pipe
# closed for good never gets ready again: its hook stays, silent, and nothing spins.
script c.lua <<'LUA'
local asyncio = require "asyncio"
local loop = asyncio.get_running_loop()
local function open_set()
  local set = {}
  for n = 0, 63 do
    local ok, e = pcall(asyncio.wait_readable, n, 0)
    if ok or not asyncio.OSError:is(e) then set[n] = true end
  end
  return set
end
local function open(how, ...)
  local before = open_set()
  local f = assert(how(...))
  for n in pairs(open_set()) do
    if not before[n] then return f, n end
  end
end
local ticks = 0
local ticker = asyncio.create_task(function()
  while true do asyncio.sleep(0.01) ticks = ticks + 1 end
end)

local f, fd = open(io.open, "/dev/null")
local calls = 0
loop:add_reader(fd, function() calls = calls + 1 end)
asyncio.sleep(0.02)
f:close()
asyncio.sleep(0.02)
print("called while open", calls > 0, "hook dropped", not loop:remove_reader(fd))

f, fd = open(io.open, "/dev/null")
loop:add_reader(fd, function() print("never called") end)
f:close()
local server = asyncio.start_server(function(r, w) w:write("hello\n") w:close() end, "127.0.0.1", 0)
local r, w = asyncio.open_connection("127.0.0.1", server.sockets[1].port)
print("the connection works", (r:readline():gsub("\n", "")))
w:close()
server:close()

f, fd = open(io.open, "/dev/null")
local t = asyncio.create_task(function() return asyncio.wait_readable(fd) end)
asyncio.sleep(0)	-- t parks, and its readiness is due next turn: close before
f:close()
local ok, e = pcall(t.await, t)
print("waiter", ok, asyncio.OSError:is(e), e.errno)

f, fd = open(io.popen, "echo gone")
loop:add_reader(fd, function() print("never called") end)
f:close()
local before = ticks
asyncio.sleep(0.1)
print("the timer kept its pace", ticks - before >= 6 and ticks - before <= 14)
print("the silent hook is still there", loop:remove_reader(fd))
ticker:cancel()
LUA
run c.lua
expect_rc 0
expect_stdout "called while open	true	hook dropped	true" "the connection works	hello" \
	"waiter	false	true	9" "the timer kept its pace	true" \
	"the silent hook is still there	true"
stderr_has "was closed without remove_reader("
stderr_has "and aiod took its number over: its reader is dropped"
