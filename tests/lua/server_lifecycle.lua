-- both
-- Server: sockets, is_serving, close while handlers run, wait_closed, close_clients, <close>
local asyncio = require "asyncio"

asyncio.run(function()
  local release = asyncio.Event()
  local served = 0
  local server = asyncio.start_server(function(r, w)
    served = served + 1
    w:write("hello " .. served .. "\n")
    release:wait()
    w:write("bye\n")
  end, "127.0.0.1", 0)
  print("sockets:", #server.sockets, server.sockets[1].host, server.sockets[1].port > 0)
  print("is_serving:", server:is_serving())
  local port = server.sockets[1].port

  local r1, w1 = asyncio.open_connection("127.0.0.1", port)
  print(r1:readline())

  -- close: stop listening; the running handler goes on
  server:close()
  print("is_serving after close:", server:is_serving())
  local ok, e = pcall(asyncio.open_connection, "127.0.0.1", port)
  print("connect after close:", ok, e.name)

  local waiting = asyncio.create_task(function()
    server:wait_closed()
    print("wait_closed returned")
  end)
  asyncio.sleep(0.01)
  print("wait_closed still waits for the handler:", not waiting:done())
  release:set()
  print(r1:readline())
  print("then EOF:", ("%q"):format(r1:read()))
  waiting:await()
  w1:close()
  server:wait_closed()  -- at once now

  -- close_clients: closes every connection; their handlers see EOF
  local eofs = 0
  server = asyncio.start_server(function(r, w)
    if r:read() == "" then eofs = eofs + 1 end
  end, "127.0.0.1", 0)
  port = server.sockets[1].port
  local conns = {}
  for i = 1, 3 do conns[i] = {asyncio.open_connection("127.0.0.1", port)} end
  asyncio.sleep(0.01)
  server:close_clients()
  for i = 1, 3 do print("client " .. i .. " sees EOF:", conns[i][1]:read() == "") end
  server:close()
  server:wait_closed()
  print("handlers saw EOF:", eofs)

  -- <close> closes the server when the scope ends
  do
    local s <close> = asyncio.start_server(function() end, "127.0.0.1", 0)
    port = s.sockets[1].port
  end
  ok, e = pcall(asyncio.open_connection, "127.0.0.1", port)
  print("after <close>:", ok, e.name)
  print(tostring(server):match("^Server on 127.0.0.1:%d+ %(closed%)$") ~= nil)
end)
