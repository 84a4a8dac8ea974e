# connect_read_pipe(0) and connect_write_pipe(1) on the pipes of a shell pipeline: lines in, text
# out; a read blocked on a pipe is cancelled cleanly; descriptors 0 and 1 stay open after the
# streams close and get their blocking mode back.
. "$(dirname "$0")/lib.bash"
script s.lua <<'LUA'
local asyncio = require "asyncio"
-- whether O_NONBLOCK (04000) is set on descriptor fd, from /proc
local function nonblocking(fd)
  local f = assert(io.open("/proc/self/fdinfo/" .. fd))
  local flags = tonumber(f:read("a"):match("flags:%s*(%d+)"), 8)
  f:close()
  return flags & 2048 ~= 0
end
asyncio.run(function()
  local reader = asyncio.connect_read_pipe(0)
  io.write("first ", reader:readline())
  -- nothing more comes for a while: a read waits, and is cancelled
  local t = asyncio.create_task(function() return reader:readline() end)
  asyncio.sleep(0.05)
  t:cancel()
  local ok, e = pcall(t.await, t)
  print("cancelled", ok, asyncio.CancelledError:is(e))
  local n = 0
  for line in reader:lines() do n = n + 1 io.write("line ", line) end
  print("lines", n, "stdin blocking again", not nonblocking(0))
  io.stdout:flush()
  local w = asyncio.connect_write_pipe(1)
  print("stdout nonblocking while the stream has it", nonblocking(1))
  io.stdout:flush()
  w:writelines({"via ", "the ", "writer\n"})
  w:drain()
  w:close()
  w:wait_closed()
  print("stdout still open, blocking again", not nonblocking(1))
end)
LUA
(cd "$T" && { printf 'one\n'; sleep 0.3; printf 'two\nthree\n'; } |
	timeout 10 "$AIOD" s.lua 2>"$ERR" | cat >"$OUT")
expect_stdout "first one" "cancelled	false	true" "line two" "line three" \
	"lines	2	stdin blocking again	true" "stdout nonblocking while the stream has it	true" \
	"via the writer" "stdout still open, blocking again	true"
expect_stderr_empty

# a descriptor above 2 belongs to the stream: it is closed at end of file, as in Python
script t.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.run(function()
  local reader = asyncio.connect_read_pipe(3)
  io.write("read ", reader:read())
  asyncio.sleep(0)
  print("fd 3 closed", io.open("/proc/self/fd/3") == nil)
end)
LUA
(cd "$T" && timeout 10 "$AIOD" t.lua 3< <(printf 'piped\n') </dev/null >"$OUT" 2>"$ERR")
expect_stdout "read piped" "fd 3 closed	true"
expect_stderr_empty

# a drain blocked on a full pipe is cancelled cleanly; the data still goes out afterwards
script w.lua <<'LUA'
local asyncio = require "asyncio"
asyncio.run(function()
  local w = asyncio.connect_write_pipe(1)
  w:write(string.rep("x", 1024 * 1024 - 1) .. "\n")
  local t = asyncio.create_task(function() w:drain() end)
  asyncio.sleep(0.05)
  t:cancel()
  local ok, e = pcall(t.await, t)
  io.stderr:write("cancelled ", tostring(ok), " ", tostring(asyncio.CancelledError:is(e)), "\n")
  w:close()
  w:wait_closed()
end)
LUA
(cd "$T" && timeout 10 "$AIOD" w.lua </dev/null 2>"$ERR" | { sleep 0.3; wc -c; } >"$OUT")
expect_stdout "1048576"
grep -qx "cancelled false true" "$ERR" || fail "the drain was not cancelled cleanly"
