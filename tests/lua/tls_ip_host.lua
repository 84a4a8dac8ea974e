-- both
-- Which name is sent as SNI and checked: a host name is both; an IP address (v4 or v6) is checked against the IP SANs and sends no SNI; server_hostname overrides host; "" checks no name and sends none; check_hostname = false still sends SNI
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})
local no_check = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})
no_check.check_hostname = false

asyncio.run(function()
  local sni = asyncio.Queue()
  local servers = {}
  for _, addr in ipairs({"127.0.0.1", "::1"}) do
    servers[addr] = asyncio.start_server(function(r, w)
      sni:put(tostring(w:get_extra_info("server_hostname")))
    end, addr, 0, {ssl = server_ctx})
  end
  local function try(host, opts, label)
    local server = servers[host] or servers["127.0.0.1"]
    opts.ssl = opts.ssl or client_ctx
    local ok, r, w = pcall(asyncio.open_connection, host, server.sockets[1].port, opts)
    if not ok then
      print(label, "failed", r.name, r.verify_message)
      return
    end
    print(label, "client checked", w:get_extra_info("server_hostname"), "server saw SNI", sni:get())
    w:close()
  end
  try("127.0.0.1", {}, "ipv4")
  try("::1", {}, "ipv6")
  try("localhost", {}, "name")
  try("127.0.0.1", {server_hostname = "localhost"}, "ipv4 + server_hostname")
  try("127.0.0.1", {server_hostname = "127.0.0.1"}, "ipv4 + the same IP")
  try("127.0.0.1", {server_hostname = "::1"}, "ipv4 + the IPv6 SAN")
  try("127.0.0.1", {server_hostname = "127.0.0.2"}, "ipv4 + another IP")
  try("127.0.0.1", {server_hostname = ""}, "ipv4 + empty")
  try("localhost", {server_hostname = ""}, "name + empty")
  try("localhost", {ssl = no_check}, "name, check_hostname off")
  for _, s in pairs(servers) do s:close() end
end)
