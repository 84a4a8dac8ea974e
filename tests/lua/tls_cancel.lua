-- both
-- Cancelling a task waiting in open_connection's handshake, in start_tls, in a TLS read; wait_for around a TLS open_connection: the half-made connection is closed (the peer sees it go), a cancelled read loses nothing
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

asyncio.run(function()
  -- a plaintext server that never answers; it reports how many bytes each
  -- connection sent once that connection is gone
  local arrived = asyncio.Queue()
  local gone = asyncio.Queue()
  local silent = asyncio.start_server(function(r)
    arrived:put(true)
    local n = 0
    while true do
      local ok, data = pcall(r.read, r, 65536)
      if not ok or data == "" then break end
      n = n + #data
    end
    gone:put(n)
  end, "127.0.0.1", 0)
  local port = silent.sockets[1].port
  local tls_opts = {ssl = client_ctx, server_hostname = "localhost"}

  -- in open_connection's handshake
  local t = asyncio.create_task(asyncio.open_connection, "127.0.0.1", port, tls_opts)
  arrived:get()
  asyncio.sleep(0.01)
  t:cancel()
  local ok, e = pcall(t.await, t)
  print("open_connection cancelled:", ok, e.name, t:cancelled())
  print("its connection closed, after a ClientHello:", gone:get() > 0)

  -- in start_tls
  local r, w = asyncio.open_connection("127.0.0.1", port)
  arrived:get()
  t = asyncio.create_task(w.start_tls, w, client_ctx, {server_hostname = "localhost"})
  asyncio.sleep(0.01)
  t:cancel()
  ok, e = pcall(t.await, t)
  print("start_tls cancelled:", ok, e.name, w:is_closing())
  print("its connection closed:", gone:get() > 0)
  w:close()

  -- wait_for around open_connection
  ok, e = pcall(asyncio.wait_for, function()
    return asyncio.open_connection("127.0.0.1", port, tls_opts)
  end, 0.05)
  arrived:get()
  print("wait_for open_connection:", ok, e.name)
  print("its connection closed:", gone:get() > 0)
  silent:close()

  -- a TLS read: cancelled, then what comes later is read by the next read
  local server_w = asyncio.Future()
  local server = asyncio.start_server(function(r, w)
    server_w:set_result(w)
    r:read()
  end, "127.0.0.1", 0, {ssl = server_ctx})
  r, w = asyncio.wait_for(function()
    return asyncio.open_connection("localhost", server.sockets[1].port, {ssl = client_ctx})
  end, 5)
  local sw = server_w:await()
  t = asyncio.create_task(r.read, r, 10)
  asyncio.sleep(0.01)
  t:cancel()
  print("read cancelled:", pcall(t.await, t) == false and t:cancelled())
  sw:write("after cancel\n")
  print("next read:", r:readline())
  t = asyncio.create_task(r.readline, r)
  asyncio.sleep(0)
  sw:write("half")
  asyncio.sleep(0.01)
  t:cancel()
  print("readline cancelled:", pcall(t.await, t) == false and t:cancelled())
  sw:write(" line\n")
  print("nothing lost:", r:readline())
  ok, e = pcall(asyncio.wait_for, function() return r:read(1) end, 0.01)
  print("wait_for read:", ok, e.name)
  sw:write("z")
  print("read after timeout:", r:read(1))
  w:close()
  w:wait_closed()
  server:close()
  server:wait_closed()
end)
