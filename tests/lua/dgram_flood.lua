-- both
-- 100,000 datagrams at a slow reader: they wait in the kernel's buffer (which drops what
-- does not fit), not in aiod's memory, and the loop stays responsive meanwhile
local asyncio = require "asyncio"

local function rss_kb()
  local f = io.open("/proc/self/statm")
  local pages = f:read("n") and f:read("n")
  f:close()
  return pages * 4
end

asyncio.run(function()
  local reader <close> = asyncio.open_datagram_endpoint{local_addr = {"127.0.0.1", 0}}
  local port = select(2, reader:get_extra_info("sockname"))
  collectgarbage()
  local before = rss_kb()
  local ticks = 0
  local ticker = asyncio.create_task(function()
    while true do
      asyncio.sleep(0.005)
      ticks = ticks + 1
    end
  end)
  local sender = asyncio.create_subprocess_exec("/usr/bin/python3", "-c", [[
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("127.0.0.1", int(sys.argv[1])))
data = b"x" * 100
for i in range(100000):
    try:
        s.send(data)
    except OSError:
        pass
]], tostring(port))
  -- the slow reader: a datagram now and then while the flood lasts, then what is left
  local got = 0
  while sender.returncode == nil do
    if pcall(asyncio.wait_for, function() return reader:recv() end, 0.02) then got = got + 1 end
    asyncio.sleep(0.02)
  end
  while pcall(asyncio.wait_for, function() return reader:recv() end, 0.02) do got = got + 1 end
  sender:wait()
  ticker:cancel()
  collectgarbage()
  local grown = rss_kb() - before
  print("read some", got > 0, got < 100000)
  print("memory bounded", grown < 8 * 1024, grown < 8 * 1024 and "" or grown .. " kB")
  print("responsive", ticks >= 10, ticks >= 10 and "" or ticks .. " ticks")
end)
