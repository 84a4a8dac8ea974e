-- both
-- Bad arguments to the TLS options of open_connection, open_unix_connection, start_server, start_unix_server and to writer:start_tls, in luaL_argerror's words; contexts made for the wrong side are refused
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

local function try(f, ...)
  local ok, e = pcall(f, ...)
  print(ok and "ok" or (tostring(e):gsub("^[^:]*:%d+: ", "")))
end

asyncio.run(function()
  -- a port nobody listens on: nothing is tried before the options are checked
  local s = asyncio.start_server(function() end, "127.0.0.1", 0)
  local port = s.sockets[1].port
  s:close()
  s:wait_closed()
  local function oc(opts) return function() local r = asyncio.open_connection("127.0.0.1", port, opts) return r end end
  try(oc({ssl = "yes"}))
  try(oc({ssl = 1}))
  try(oc({ssl = {}}))
  try(oc({ssl = server_ctx}))
  try(oc({ssl = client_ctx, server_hostname = 5}))
  try(oc({ssl = client_ctx, server_hostname = "localhost\0.evil.example"}))
  try(oc({server_hostname = "localhost"}))
  try(oc({ssl = client_ctx, ssl_handshake_timeout = "soon"}))
  try(oc({ssl = client_ctx, ssl_handshake_timeout = 0}))
  try(oc({ssl = client_ctx, ssl_handshake_timeout = -1}))
  try(oc({ssl = client_ctx, ssl_handshake_timeout = 0 / 0}))
  try(oc({ssl_handshake_timeout = 1}))
  try(oc({ssl = client_ctx, ssl_shutdown_timeout = {}}))
  try(oc({ssl = client_ctx, ssl_shutdown_timeout = -0.5}))
  try(oc({ssl_shutdown_timeout = 1}))
  -- ssl = false is plaintext, as in Python: refused like any connection
  local ok, e = pcall(asyncio.open_connection, "127.0.0.1", port, {ssl = false})
  print("ssl = false:", ok, e.name)
  try(function() local r = asyncio.open_unix_connection("/nonexistent", {ssl = "x"}) return r end)
  try(function() local r = asyncio.open_unix_connection("/nonexistent", {ssl = client_ctx, ssl_handshake_timeout = -1}) return r end)
  -- a Unix socket has no host name to check
  try(function() local r = asyncio.open_unix_connection("/nonexistent", {ssl = client_ctx}) return r end)

  local function ss(opts) return function() local r = asyncio.start_server(print, "127.0.0.1", 0, opts) return r end end
  try(ss({ssl = true}))
  try(ss({ssl = "ctx"}))
  try(ss({ssl = client_ctx}))
  try(ss({ssl = server_ctx, ssl_handshake_timeout = -1}))
  try(ss({ssl = server_ctx, ssl_shutdown_timeout = "x"}))
  try(ss({ssl_handshake_timeout = 1}))
  try(function() local r = asyncio.start_unix_server(print, "/tmp/aiod-tls-badarg.sock", {ssl = 42}) return r end)

  -- start_tls
  local server = asyncio.start_server(function(r) r:read() end, "127.0.0.1", 0)
  local reader, writer = asyncio.open_connection("127.0.0.1", server.sockets[1].port)
  try(writer.start_tls, writer)
  try(writer.start_tls, writer, "ctx")
  try(writer.start_tls, writer, true)
  try(writer.start_tls, writer, client_ctx, "opts")
  try(writer.start_tls, writer, client_ctx, {server_hostname = 1})
  try(writer.start_tls, writer, client_ctx, {server_hostname = "a\0b"})
  try(writer.start_tls, writer, client_ctx, {ssl_handshake_timeout = -1})
  try(writer.start_tls, writer, client_ctx, {ssl_shutdown_timeout = "x"})
  try(writer.start_tls, reader, client_ctx)
  try(writer.abort, reader)
  -- the plaintext connection still works after all these
  writer:write("still plain\n")
  print("is_closing:", writer:is_closing())
  writer:close()
  server:close()
  server:wait_closed()
end)
