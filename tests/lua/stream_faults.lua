-- both
-- Peer resets mid-read and mid-write, half-close, and writing after close
local asyncio = require "asyncio"

asyncio.run(function()
  -- The server closes with data it has not read (its small limit stops
  -- the read-ahead): the kernel answers with a reset, which the client's
  -- read reports.
  local closed = asyncio.Event()
  local server = asyncio.start_server(function(r, w)
    asyncio.sleep(0.01)
    w:close()
    w:wait_closed()
    closed:set()
  end, "127.0.0.1", 0, {limit = 16})
  local port = server.sockets[1].port
  local reader, writer = asyncio.open_connection("127.0.0.1", port)
  writer:write(string.rep("u", 256 * 1024))
  closed:wait()
  asyncio.sleep(0.01)
  local ok, e = pcall(reader.read, reader, 100)
  print("read after reset:", ok, e.name, e.errno, e.strerror)
  -- and every later write or read says the same
  ok, e = pcall(writer.write, writer, "more")
  print("write after reset:", ok, e.name)
  ok, e = pcall(writer.drain, writer)
  print("drain after reset:", ok, e.name)
  writer:close()
  server:close()

  -- mid-write: the peer resets while we send a lot
  server = asyncio.start_server(function(r, w)
    r:read(1)
    w:close()
  end, "127.0.0.1", 0)
  reader, writer = asyncio.open_connection("127.0.0.1", server.sockets[1].port)
  ok, e = pcall(function()
    for _ = 1, 1000 do
      writer:write(string.rep("y", 65536))
      writer:drain()
    end
  end)
  print("write into a reset:", ok, asyncio.ConnectionError:is(e))
  writer:close()
  server:close()

  -- half-close: write_eof, the peer reads to EOF and still answers
  server = asyncio.start_server(function(r, w)
    local all = r:read()
    w:write("got " .. #all .. " bytes")
  end, "127.0.0.1", 0)
  reader, writer = asyncio.open_connection("127.0.0.1", server.sockets[1].port)
  print("can_write_eof:", writer:can_write_eof())
  writer:write(string.rep("h", 1000))
  writer:write_eof()
  print("answer:", reader:read())
  print("at_eof:", reader:at_eof())
  ok, e = pcall(writer.write, writer, "x")
  print("write after write_eof:", ok, e.name)
  writer:close()
  print("is_closing:", writer:is_closing())
  ok, e = pcall(writer.write, writer, "x")
  print("write after close:", ok, e.name)
  writer:wait_closed()
  writer:close()
  server:close()
  server:wait_closed()
end)
