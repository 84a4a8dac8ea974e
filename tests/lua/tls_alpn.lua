-- both
-- ALPN: the server picks from the client's list in its own order of preference; no common protocol, or ALPN on one side only, gives nil on both ends and no failure (as Python)
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

asyncio.run(function()
  local function try(server_list, client_list)
    local server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
    if server_list then server_ctx:set_alpn_protocols(server_list) end
    local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})
    if client_list then client_ctx:set_alpn_protocols(client_list) end
    local seen = asyncio.Future()
    local server = asyncio.start_server(function(r, w)
      seen:set_result(w:get_extra_info("alpn_protocol"))
    end, "127.0.0.1", 0, {ssl = server_ctx})
    local r, w = asyncio.open_connection("localhost", server.sockets[1].port, {ssl = client_ctx})
    local function list(l) return l and table.concat(l, ",") or "-" end
    print(list(server_list), list(client_list), w:get_extra_info("alpn_protocol"), seen:await(), r:read())
    w:close()
    server:close()
    server:wait_closed()
  end
  try({"h2", "http/1.1"}, {"http/1.1"})
  try({"h2", "http/1.1"}, {"http/1.1", "h2"})
  try({"http/1.1"}, {"h2", "http/1.1"})
  try({"h2"}, {"http/1.1"})
  try(nil, {"h2"})
  try({"h2"}, nil)
end)
