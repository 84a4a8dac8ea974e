-- both
-- get_extra_info on TLS streams, both ends: peercert as Python's getpeercert() dict, cipher, tls_version, alpn_protocol, server_hostname, sslcontext; a plaintext stream has none of them
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})

-- Python's repr of the tuples getpeercert() gives, from Lua sequences.
local function repr(v)
  if type(v) == "string" then return "'" .. v .. "'" end
  if type(v) ~= "table" then return tostring(v) end
  local items = {}
  for i = 1, #v do items[i] = repr(v[i]) end
  return "(" .. table.concat(items, ", ") .. (#v == 1 and "," or "") .. ")"
end

local function show_cert(who, cert)
  if cert == nil then print(who, "peercert", nil) return end
  local keys = {}
  for k in pairs(cert) do keys[#keys + 1] = k end
  table.sort(keys)
  print(who, "peercert keys", table.concat(keys, " "))
  print(who, "subject", repr(cert.subject))
  print(who, "issuer", repr(cert.issuer))
  print(who, "subjectAltName", repr(cert.subjectAltName))
  print(who, "serialNumber", cert.serialNumber, "version", cert.version)
  local date = "^%u%l%l [ %d]%d %d%d:%d%d:%d%d %d%d%d%d GMT$"
  print(who, "dates", cert.notBefore:match(date) ~= nil, cert.notAfter:match(date) ~= nil)
end

local function show(who, w)
  local name, protocol, bits = w:get_extra_info("cipher")
  print(who, "cipher", name, protocol, bits)
  print(who, "tls_version", w:get_extra_info("tls_version"))
  print(who, "alpn_protocol", w:get_extra_info("alpn_protocol"))
  print(who, "server_hostname", w:get_extra_info("server_hostname"))
  print(who, "sslcontext", w:get_extra_info("sslcontext") == (who == "client" and client_ctx or server_ctx))
  print(who, "can_write_eof", w:can_write_eof())
  local host, port = w:get_extra_info("peername")
  print(who, "peername", host, math.type(port))
  print(who, "fd", math.type(w:get_extra_info("fd")))
  print(who, "unknown", w:get_extra_info("no such name"))
end

asyncio.run(function()
  local server_w = asyncio.Future()
  local server = asyncio.start_server(function(r, w)
    server_w:set_result(w)
    r:read()
  end, "127.0.0.1", 0, {ssl = server_ctx})
  local port = server.sockets[1].port
  local r, w = asyncio.open_connection("localhost", port, {ssl = client_ctx})
  show("client", w)
  show_cert("client", w:get_extra_info("peercert"))
  local sw = server_w:await()
  show("server", sw)
  -- the client sent no certificate
  show_cert("server", sw:get_extra_info("peercert"))
  w:close()
  w:wait_closed()

  -- a plaintext connection has no TLS names
  local plain = asyncio.start_server(function(r) r:read() end, "127.0.0.1", 0)
  r, w = asyncio.open_connection("127.0.0.1", plain.sockets[1].port)
  for _, name in ipairs({"peercert", "cipher", "tls_version", "alpn_protocol", "server_hostname", "sslcontext"}) do
    print("plain", name, w:get_extra_info(name))
  end
  w:close()
  plain:close()
  server:close()
  server:wait_closed()
end)
