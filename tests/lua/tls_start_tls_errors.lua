-- both
-- start_tls refused where it cannot work: on a closed writer, after write_eof, on a stream that is TLS already, while another start_tls runs; a failed verification closes the connection
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

local function try(label, f, ...)
  local ok, e = pcall(f, ...)
  if ok then print(label, "ok") return end
  print(label, type(e) == "table" and e.name or "string", (tostring(e):gsub("^[^:]*:%d+: ", "")))
end

asyncio.run(function()
  -- the server upgrades when it reads "TLS\n"; its handler ends at EOF
  local server = asyncio.start_server(function(r, w)
    while true do
      local line = r:readline()
      if line == "" then return end
      -- a client that refuses our certificate fails our handshake too
      if line == "TLS\n" and not pcall(w.start_tls, w, server_ctx) then return end
    end
  end, "127.0.0.1", 0)
  local port = server.sockets[1].port

  local r, w = asyncio.open_connection("127.0.0.1", port)
  w:close()
  try("closed writer:", w.start_tls, w, client_ctx, {server_hostname = "localhost"})
  w:wait_closed()
  try("closed and gone:", w.start_tls, w, client_ctx, {server_hostname = "localhost"})

  r, w = asyncio.open_connection("127.0.0.1", port)
  w:write_eof()
  try("after write_eof:", w.start_tls, w, client_ctx, {server_hostname = "localhost"})
  w:close()

  r, w = asyncio.open_connection("127.0.0.1", port)
  w:write("TLS\n")
  w:start_tls(client_ctx, {server_hostname = "localhost"})
  print("upgraded:", w:get_extra_info("tls_version"))
  try("TLS already:", w.start_tls, w, client_ctx, {server_hostname = "localhost"})
  -- the refused call did not disturb the session
  w:write("still here\n")
  w:close()
  w:wait_closed()

  local ok, r2, w2 = pcall(asyncio.open_connection, "localhost", port,
    {ssl = client_ctx, ssl_handshake_timeout = 0.05})
  print("ssl to a plaintext server:", ok, asyncio.OSError:is(r2))

  -- two at once on one writer
  r, w = asyncio.open_connection("127.0.0.1", port)
  w:write("TLS\n")
  local first = asyncio.create_task(w.start_tls, w, client_ctx, {server_hostname = "localhost"})
  asyncio.sleep(0)
  try("while another runs:", w.start_tls, w, client_ctx, {server_hostname = "localhost"})
  first:await()
  print("the first one:", w:get_extra_info("tls_version"))
  w:close()

  -- verification fails: the error, and the connection is closed
  r, w = asyncio.open_connection("127.0.0.1", port)
  w:write("TLS\n")
  ok, e = pcall(w.start_tls, w, client_ctx, {server_hostname = "wrong.example"})
  print("wrong host:", ok, e.name, e.verify_message)
  print("closing after it:", w:is_closing())
  ok, e = pcall(w.write, w, "x")
  print("write after it:", ok, type(e) == "table" and asyncio.OSError:is(e))
  w:close()
  server:close()
  server:wait_closed()
end)
