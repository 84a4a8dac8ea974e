-- both
-- StreamReader over TLS (and over a Unix socket with TLS): read(n), readline, readuntil, readexactly, lines, at_eof, limits, data cut into many small records
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

local path = os.tmpname()
os.remove(path)

asyncio.run(function()
  -- over a Unix socket: server_hostname names what to check
  local got = asyncio.Future()
  local server = asyncio.start_unix_server(function(r, w)
    w:write("line one\nline two\nABCDEFGHIJ--sep--tail")
    got:set_result(r:readline())
  end, path, {ssl = server_ctx})
  local reader, writer = asyncio.open_unix_connection(path, {ssl = client_ctx, server_hostname = "localhost"})
  print("unix tls:", writer:get_extra_info("tls_version"))
  writer:write("bye\n")
  print(("%q"):format(reader:readline()))
  print(("%q"):format(reader:read(4)))
  print(("%q"):format(reader:readuntil(" ")))
  print(("%q"):format(reader:readuntil("\n")))
  print(("%q"):format(reader:readexactly(10)))
  print(("%q"):format(reader:readuntil("--sep--")))
  print("at_eof before", reader:at_eof())
  print(("%q"):format(reader:read()))
  print("at_eof after", reader:at_eof())
  print("server got", ("%q"):format(got:result()))
  print(("%q"):format(reader:read()), ("%q"):format(reader:read(10)), ("%q"):format(reader:readline()))
  writer:close()
  writer:wait_closed()
  server:close()
  server:wait_closed()
  os.remove(path)

  -- over TCP, the server writes short lines one byte per record (lines and
  -- readuntil join records), then the rest in one record; a limit of 64
  -- bounds a line
  local short = "a\nbb\n\nsplit--end--"
  local rest = string.rep("x", 100) .. "\n" .. string.rep("y", 70) .. "!" .. "rest"
  server = asyncio.start_server(function(_, w)
    for i = 1, #short do
      w:write(short:sub(i, i))
      w:drain()
    end
    w:write(rest)
  end, "127.0.0.1", 0, {ssl = server_ctx})
  reader, writer = asyncio.open_connection("localhost", server.sockets[1].port, {ssl = client_ctx, limit = 64})
  for _ = 1, 3 do io.write(("%q "):format(reader:readline())) end
  print()
  print(("%q"):format(reader:readuntil("--end--")))
  -- readline past the limit drops the line, as Python's does
  local ok, e = pcall(reader.readline, reader)
  print("long line:", ok, e.name, e.consumed)
  -- readuntil past the limit keeps the data
  ok, e = pcall(reader.readuntil, reader, "!")
  print("readuntil past the limit:", ok, e.name, e.consumed, e.message)
  print(#reader:readexactly(71), reader:read())
  writer:close()
  server:close()
  server:wait_closed()

  -- lines() over TLS to the end
  server = asyncio.start_server(function(_, w) w:write("a\nbb\n\nccc") end, "127.0.0.1", 0, {ssl = server_ctx})
  reader, writer = asyncio.open_connection("localhost", server.sockets[1].port, {ssl = client_ctx})
  for line in reader:lines() do io.write(("%q "):format(line)) end
  print()
  ok, e = pcall(reader.readexactly, reader, 1)
  print("readexactly at the end:", ok, e.name, ("%q"):format(e.partial), e.expected)
  writer:close()
  server:close()
  server:wait_closed()
end)
