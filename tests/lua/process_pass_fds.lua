-- both
-- pass_fds: the child gets exactly 0-2 and the descriptors passed, under their numbers; a descriptor that is not open is an OSError (EBADF) naming it, and nothing is left open
local asyncio = require "asyncio"
local descriptors = require("proctools").descriptors

asyncio.run(function()
  -- A pipe of ours to pass: cat's stdin, whose output we read.
  local cat = asyncio.create_subprocess_exec("cat", {stdin = asyncio.PIPE, stdout = asyncio.PIPE})
  local fd = cat.stdin:get_extra_info("fd")
  local listing = asyncio.run_process({"ls", "-v", "/proc/self/fd"}, {pass_fds = {fd}}).stdout
  print("the child's descriptors:", listing == ("0\n1\n2\n3\n%d\n"):format(fd), "(3 is ls's own)")
  listing = asyncio.run_process({"ls", "-v", "/proc/self/fd"}).stdout
  print("without pass_fds:", listing == "0\n1\n2\n3\n")
  asyncio.run_process({"sh", "-c", "echo through the passed pipe >&" .. fd}, {pass_fds = {fd, 1, fd}})
  cat.stdin:close()
  io.write(cat.stdout:read())
  cat:wait()

  local before = descriptors()
  for _, how in ipairs{{}, {stdout = asyncio.PIPE, stderr = asyncio.PIPE}} do
    how.pass_fds = {1000}
    local ok, e = pcall(asyncio.create_subprocess_exec, "true", how)
    print(ok, e.name, e.errno, e.message)
    ok, e = pcall(asyncio.run_process, "true", {pass_fds = {1000}})
    print(ok, e.name, e.errno)
  end
  print("descriptors as before:", descriptors() == before)
end)
