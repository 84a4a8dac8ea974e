-- both
-- A peer that closes mid-handshake: the client's open_connection fails with a connection error; a server is not disturbed and never runs its handler
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

local function describe(e)
  return string.format("%s OSError=%s SSLCertVerificationError=%s", e.name,
    tostring(asyncio.OSError:is(e)), tostring(asyncio.SSLCertVerificationError:is(e)))
end

asyncio.run(function()
  -- a plain server that closes at once, and one that reads the ClientHello first
  local hello = asyncio.Future()
  for _, reads in ipairs({false, true}) do
    local plain = asyncio.start_server(function(r, w)
      if reads then
        local data = r:read(65536)
        if not hello:done() then hello:set_result(data) end
      end
      w:close()
    end, "127.0.0.1", 0)
    local ok, e = pcall(asyncio.open_connection, "127.0.0.1", plain.sockets[1].port,
      {ssl = client_ctx, server_hostname = "localhost"})
    print(reads and "closed after the ClientHello:" or "closed at once:", ok, describe(e))
    plain:close()
    plain:wait_closed()
  end
  local client_hello = hello:result()
  print("a ClientHello was sent:", client_hello:byte(1) == 22, #client_hello > 100)

  -- a client that sends half a ClientHello and goes away
  local served = 0
  local server = asyncio.start_server(function(r, w)
    served = served + 1
    w:write("served\n")
  end, "127.0.0.1", 0, {ssl = server_ctx})
  local port = server.sockets[1].port
  for _, n in ipairs({1, 5, #client_hello // 2, #client_hello - 1}) do
    local _, w = asyncio.open_connection("127.0.0.1", port)
    w:write(client_hello:sub(1, n))
    w:drain()
    w:close()
    w:wait_closed()
  end
  -- a whole ClientHello, then gone before the server's answer is read
  local _, w = asyncio.open_connection("127.0.0.1", port)
  w:write(client_hello)
  w:abort()
  asyncio.sleep(0.01)
  local r
  r, w = asyncio.open_connection("localhost", port, {ssl = client_ctx})
  io.write("good client: ", r:readline())
  w:close()
  server:close()
  server:wait_closed()
  print("served:", served)
end)
