-- both
-- asyncio.http's timeouts and cancellations: TimeoutError, wait_for, timeout scopes, a stream's read; each closes its connection
local asyncio = require "asyncio"
local http = asyncio.http

local closed = 0
local session = http.Session{timeout = 5}

asyncio.run(function()
  local server = asyncio.start_server(function(r, w)
    local line = r:readline()
    repeat local h = r:readline() until h == "\r\n" or h == ""
    if line:find("/stall") then
      w:write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart")
    end
    r:read()  -- never answers more: waits for the client to go
    closed = closed + 1
  end, "127.0.0.1", 0)
  local base = ("http://127.0.0.1:%d"):format(server.sockets[1].port)
  local loop = asyncio.get_running_loop()
  local function settle(want)
    for _ = 1, 100 do
      if closed >= want then break end
      asyncio.sleep(0.005)
    end
    return closed
  end

  local began = loop:time()
  local ok, e = pcall(http.get, base .. "/silent", {timeout = 0.05})
  print("timeout:", ok, e.name, loop:time() - began < 1, settle(1))
  ok, e = pcall(session.get, session, base .. "/stall", {timeout = 0.05})
  print("timeout mid-body:", ok, e.name, settle(2))
  ok, e = pcall(asyncio.wait_for, function() return session:get(base .. "/silent") end, 0.02)
  print("wait_for:", ok, e.name, settle(3))
  ok, e = pcall(function()
    local scope <close> = asyncio.timeout(0.02)
    return http.get(base .. "/silent")
  end)
  print("timeout scope:", ok, e.name, settle(4))
  local r = session:get(base .. "/stall", {stream = true})
  print("stream:", r.status, r.body, r:read(4))
  ok, e = pcall(asyncio.wait_for, function() return r:read(10) end, 0.02)
  print("read cancelled:", ok, e.name, settle(5))
  ok, e = pcall(r.read, r)
  print("read after:", ok, e.name)
  local t = asyncio.create_task(function() return session:post(base .. "/silent", {body = "x"}) end)
  asyncio.sleep(0.01)
  t:cancel()
  print("task cancelled:", pcall(t.await, t), t:cancelled(), settle(6))
  -- closing a Session fails the requests in flight
  local other = http.Session()
  t = asyncio.create_task(function() return other:get(base .. "/silent") end)
  asyncio.sleep(0.01)
  other:close()
  ok, e = pcall(t.await, t)
  print("Session closed:", ok, e.name, e.message, settle(7))
  server:close()
end)
session:close()
