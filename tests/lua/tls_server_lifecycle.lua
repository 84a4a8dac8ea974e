-- both
-- A TLS server's life: close() while a client is mid-handshake (that client is still served, as in Python), close_clients() ends TLS connections, a failing handler closes only its own connection, <close> on the server, a peer reset mid-write raises from drain
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

asyncio.run(function()
  -- a client that has sent only half its ClientHello when the server closes
  local hello = asyncio.Future()
  local grab = asyncio.start_server(function(r, w)
    hello:set_result(r:read(65536))
    w:close()
  end, "127.0.0.1", 0)
  pcall(asyncio.open_connection, "127.0.0.1", grab.sockets[1].port, {ssl = client_ctx, server_hostname = "localhost"})
  grab:close()
  local client_hello = hello:await()

  local server = asyncio.start_server(function(r, w)
    w:write("bye\n")
  end, "127.0.0.1", 0, {ssl = server_ctx})
  local port = server.sockets[1].port
  local raw_r, raw_w = asyncio.open_connection("127.0.0.1", port)
  raw_w:write(client_hello:sub(1, 50))
  raw_w:drain()
  asyncio.sleep(0.01)
  server:close()
  print("is_serving:", server:is_serving())
  print("refused now:", not pcall(asyncio.open_connection, "127.0.0.1", port))
  -- the rest comes: the handshake goes on (the server answers), then the
  -- raw client leaves
  raw_w:write(client_hello:sub(51))
  local answer = raw_r:read(5)
  print("the server answered the ClientHello:", #answer == 5 and answer:byte(1) == 22)
  raw_w:abort()
  server:wait_closed()
  print("wait_closed returned")

  -- close_clients() ends open TLS connections; their readers see the end
  local started = asyncio.Event()
  server = asyncio.start_server(function(r, w)
    started:set()
    r:read()
  end, "127.0.0.1", 0, {ssl = server_ctx, ssl_shutdown_timeout = 0.1})
  local r, w = asyncio.open_connection("localhost", server.sockets[1].port, {ssl = client_ctx})
  started:wait()
  server:close()
  server:close_clients()
  local ok, data = pcall(r.read, r)
  print("after close_clients:", ok and ("read " .. ("%q"):format(data)) or asyncio.ConnectionError:is(data))
  w:close()
  server:wait_closed()

  -- a failing handler: its connection ends, the next client is served
  do
    local n = 0
    local s <close> = asyncio.start_server(function(r, w)
      n = n + 1
      if n == 1 then error("handler fails") end
      w:write("second\n")
    end, "127.0.0.1", 0, {ssl = server_ctx})
    r, w = asyncio.open_connection("localhost", s.sockets[1].port, {ssl = client_ctx})
    print("after the failing handler:", ("%q"):format(r:read()))
    w:close()
    r, w = asyncio.open_connection("localhost", s.sockets[1].port, {ssl = client_ctx})
    io.write("next client: ", r:readline())
    w:close()
    port = s.sockets[1].port
  end
  print("closed by <close>:", not pcall(asyncio.open_connection, "127.0.0.1", port))

  -- the peer resets while we send a lot: drain raises a connection error
  server = asyncio.start_server(function(r, w)
    r:read(1)
    w:abort()
  end, "127.0.0.1", 0, {ssl = server_ctx})
  r, w = asyncio.open_connection("localhost", server.sockets[1].port, {ssl = client_ctx})
  ok, data = pcall(function()
    for _ = 1, 1000 do
      w:write(string.rep("y", 65536))
      w:drain()
    end
  end)
  print("write into a reset:", ok, asyncio.ConnectionError:is(data))
  w:close()
  server:close()
end)
