-- both
-- A child gets descriptors 0, 1, 2 only, default signal dispositions and an empty signal mask
local asyncio = require "asyncio"

asyncio.run(function()
  -- aiod has more open: a Lua file (not close-on-exec) and a listening socket
  local f = io.open(os.tmpname(), "w")
  local server = asyncio.start_server(function() end, "127.0.0.1", 0)
  local p = asyncio.create_subprocess_exec("ls", "/proc/self/fd", {stdout = asyncio.PIPE})
  local out = p:communicate()
  -- ls itself holds one more while it lists the folder
  local fds = {}
  for fd in out:gmatch("%d+") do fds[#fds + 1] = tonumber(fd) end
  table.sort(fds)
  print("child fds:", table.concat(fds, " ", 1, 3), #fds <= 4)

  -- aiod ignores SIGPIPE; the child must not, nor glibc's internal
  -- signals 32 and 33, which its posix_spawn would leave ignored.
  p = asyncio.create_subprocess_exec("grep", "-E", "^(SigBlk|SigIgn)", "/proc/self/status",
    {stdout = asyncio.PIPE})
  local status = p:communicate()
  local blocked = tonumber(status:match("SigBlk:%s*(%x+)"), 16)
  local ignored = tonumber(status:match("SigIgn:%s*(%x+)"), 16)
  print("blocked:", blocked, "ignored:", ignored)
  server:close()
  f:close()
end)
