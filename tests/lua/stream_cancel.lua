-- both
-- Cancelling a task waiting in read, readline, drain, wait_closed, open_connection: no data is lost
local asyncio = require "asyncio"

asyncio.run(function()
  local got = asyncio.Event()
  local server_writer
  local server = asyncio.start_server(function(r, w)
    server_writer = w
    got:set()
    r:read()  -- until the client closes
  end, "127.0.0.1", 0)
  local port = server.sockets[1].port
  local reader, writer = asyncio.open_connection("127.0.0.1", port)
  got:wait()

  -- read: cancelled while waiting; what arrives later is read by the next read
  local t = asyncio.create_task(function() return reader:read(10) end)
  asyncio.sleep(0)
  t:cancel()
  print("read cancelled:", pcall(t.await, t) == false and t:cancelled())
  server_writer:write("after cancel\n")
  print("next read:", reader:readline())

  -- readuntil with a partial line: cancel, then the rest comes, nothing lost
  server_writer:write("part")
  t = asyncio.create_task(function() return reader:readuntil("!") end)
  asyncio.sleep(0.01)
  t:cancel()
  print("readuntil cancelled:", select(2, pcall(t.await, t)).name)
  server_writer:write("ial!")
  print("readuntil:", reader:readuntil("!"))

  -- wait_for on a read times out and the stream still works
  local ok, e = pcall(asyncio.wait_for, function() return reader:read(1) end, 0.01)
  print("wait_for read:", ok, e.name)
  server_writer:write("z")
  print("read after timeout:", reader:read(1))

  -- wait_closed cancelled
  t = asyncio.create_task(function() writer:wait_closed() end)
  asyncio.sleep(0)
  t:cancel()
  print("wait_closed cancelled:", select(2, pcall(t.await, t)).name)

  -- open_connection cancelled while it resolves
  t = asyncio.create_task(function() return asyncio.open_connection("localhost", port) end)
  asyncio.sleep(0)
  t:cancel()
  print("open_connection cancelled:", select(2, pcall(t.await, t)).name)

  writer:close()
  writer:wait_closed()
  server:close()
  server:wait_closed()
  print("closed")
end)
