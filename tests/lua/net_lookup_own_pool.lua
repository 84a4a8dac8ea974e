-- both
-- Host-name lookups have a pool of their own: with every to_thread worker blocked, open_connection
-- and loop:getaddrinfo of a name from /etc/hosts still finish at once (they used to queue behind).
local asyncio = require "asyncio"

-- A name /etc/hosts gives a loopback address, other than localhost (answered without a pool).
local function loopback_name()
  for line in io.lines("/etc/hosts") do
    local addr, names = line:match("^%s*(127%.[%d.]+)%s+([^#]+)")
    for name in (names or ""):gmatch("%S+") do
      if name ~= "localhost" and not name:find("^localhost%.") then return name, addr end
    end
  end
  error("this test needs a name for 127.x.x.x in /etc/hosts besides localhost")
end

asyncio.run(function()
  local name, addr = loopback_name()
  local server = asyncio.start_server(function(r, w) w:write("hi\n") w:close() end, addr, 0)
  local port = server.sockets[1].port
  local busy = {}
  for i = 1, 4 do  -- the default pool's 4 threads, each blocked for 0.6 s
    busy[i] = asyncio.create_task(asyncio.to_thread, function() os.execute("sleep 0.6") end)
  end
  asyncio.sleep(0.05)
  local t0 = asyncio.get_running_loop():time()
  local list = asyncio.wait_for(function()
    return asyncio.get_running_loop():getaddrinfo(name, port, {family = "inet"})
  end, 0.3)
  print("getaddrinfo", list[1].address == addr, list[1].port == port)
  local r, w = asyncio.wait_for(function() return asyncio.open_connection(name, port) end, 0.3)
  print("open_connection", r:readline())
  w:close()
  print("before the workers were done", asyncio.get_running_loop():time() - t0 < 0.5)
  for i = 1, 4 do busy[i]:await() end
  server:close()
end)
