-- both
-- A handshake that never completes: TimeoutError past ssl_handshake_timeout (client, start_tls); a server drops a silent client after its own timeout and never runs the handler
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

asyncio.run(function()
  local loop = asyncio.get_running_loop()
  -- a plain server that takes the ClientHello and never answers; it tells
  -- when the client's connection is gone
  local gone = asyncio.Queue()
  local silent = asyncio.start_server(function(r, w)
    local n = 0
    while true do
      local data = r:read(65536)
      if data == "" then break end
      n = n + #data
    end
    gone:put(n)
  end, "127.0.0.1", 0)
  local port = silent.sockets[1].port

  local t0 = loop:time()
  local ok, e = pcall(asyncio.open_connection, "127.0.0.1", port,
    {ssl = client_ctx, server_hostname = "localhost", ssl_handshake_timeout = 0.05})
  local took = loop:time() - t0
  print("open_connection:", ok, e.name, asyncio.TimeoutError:is(e), took >= 0.04, took < 1)
  print("the server saw the ClientHello, then the connection closed:", gone:get() > 0)

  -- start_tls on a plaintext connection to the same silent server
  local r, w = asyncio.open_connection("127.0.0.1", port)
  t0 = loop:time()
  ok, e = pcall(w.start_tls, w, client_ctx, {server_hostname = "localhost", ssl_handshake_timeout = 0.05})
  took = loop:time() - t0
  print("start_tls:", ok, e.name, took >= 0.04, took < 1)
  w:close()
  print("closed:", gone:get() > 0)
  silent:close()

  -- a TLS server with a short timeout; clients that never finish
  local served = 0
  local server = asyncio.start_server(function(r, w)
    served = served + 1
    w:write("served\n")
  end, "127.0.0.1", 0, {ssl = server_ctx, ssl_handshake_timeout = 0.05})
  port = server.sockets[1].port
  local function dropped(first)
    local r, w = asyncio.open_connection("127.0.0.1", port)
    if first then w:write(first) end
    local t0 = loop:time()
    local ok, data = pcall(function()
      local all = ""
      repeat local d = r:read(65536); all = all .. d until d == ""
      return all
    end)
    local took = loop:time() - t0
    w:close()
    -- the server's timer started at its accept, a moment after our t0 at most
    return (ok or asyncio.ConnectionError:is(data)) and took >= 0.03 and took < 1
  end
  print("a client that sends nothing is dropped in time:", dropped(nil))
  print("a client that sends a record header is dropped in time:", dropped("\22\3\1\1\0"))
  -- meanwhile others are served; a good client with its own short timeout succeeds
  r, w = asyncio.open_connection("localhost", port, {ssl = client_ctx, ssl_handshake_timeout = 5})
  io.write("good client: ", r:readline())
  w:close()
  server:close()
  server:wait_closed()
  print("served:", served)
end)
