-- both
-- A server context with no certificate loaded serves nobody: each client's handshake fails with SSLError (the server's handshake_failure alert, as a blocking Python client reports it; asyncio loses it to ConnectionResetError), the handler never runs
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

asyncio.run(function()
  local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
  local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})
  local served = 0
  local server = asyncio.start_server(function() served = served + 1 end, "127.0.0.1", 0, {ssl = server_ctx})
  for _ = 1, 2 do
    local ok, e = pcall(asyncio.open_connection, "localhost", server.sockets[1].port, {ssl = client_ctx})
    print(ok, e.name, e.reason, e.library, asyncio.SSLCertVerificationError:is(e))
  end
  -- loading the certificate later serves the next clients: the context is shared, not copied
  server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
  local r, w = asyncio.open_connection("localhost", server.sockets[1].port, {ssl = client_ctx})
  print("served after load_cert_chain:", r:read() == "")
  w:close()
  server:close()
  server:wait_closed()
  print("served:", served)
end)
