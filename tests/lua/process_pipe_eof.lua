-- both
-- A child's output pipe is closed at its end of file, not when the reader is collected: many children one after another never run out of descriptors
local asyncio = require "asyncio"

asyncio.run(function()
  collectgarbage("stop")  -- so only the close at end of file can give the descriptors back
  local function open_fds()
    -- the shell's parent is this process; the pause lets it close its copy
    -- of the write end of this very pipe first (listed too early, the count
    -- was one too high and the difference -1 now and then)
    local p = asyncio.create_subprocess_shell("sleep 0.05; ls /proc/$PPID/fd", {stdout = asyncio.PIPE})
    local out = p:communicate()
    local n = 0
    for _ in out:gmatch("%d+") do n = n + 1 end
    return n
  end
  local before = open_fds()
  for _ = 1, 20 do
    local p = asyncio.create_subprocess_exec("echo", "x", {stdout = asyncio.PIPE, stderr = asyncio.PIPE})
    p:communicate()
  end
  print("descriptors left open:", open_fds() - before)
  collectgarbage("restart")
end)
