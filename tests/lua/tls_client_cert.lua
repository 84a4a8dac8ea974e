-- both
-- Client certificates: a server context with CERT_REQUIRED and the test CA refuses a client without a certificate (its handler never runs) and serves one with client.pem, whose subject the server's peercert shows; CERT_OPTIONAL serves both
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local function server_ctx(mode)
  local ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
  ctx:load_cert_chain(C .. "server.pem", C .. "server.key")
  ctx.verify_mode = mode
  ctx:load_verify_locations(C .. "ca.pem")
  return ctx
end
local function client_ctx(cert)
  local ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})
  if cert then ctx:load_cert_chain(C .. cert .. ".pem", C .. cert .. ".key") end
  return ctx
end

local function repr(v)
  if type(v) == "string" then return "'" .. v .. "'" end
  if type(v) ~= "table" then return tostring(v) end
  local items = {}
  for i = 1, #v do items[i] = repr(v[i]) end
  return "(" .. table.concat(items, ", ") .. (#v == 1 and "," or "") .. ")"
end

asyncio.run(function()
  for _, mode in ipairs({"CERT_REQUIRED", "CERT_OPTIONAL"}) do
    local served = {}
    local server = asyncio.start_server(function(r, w)
      local cert = w:get_extra_info("peercert")
      served[#served + 1] = cert and repr(cert.subject) or "no certificate"
      w:write("hello\n")
    end, "127.0.0.1", 0, {ssl = server_ctx(ssl[mode])})
    local port = server.sockets[1].port
    -- no certificate, one the CA signed, and a self-signed one
    for _, cert in ipairs({false, "client", "selfsigned"}) do
      -- Under TLS 1.3 the client's handshake ends before the server has
      -- checked its certificate: the refusal may come with the first read.
      local ok, answer = pcall(function()
        local r, w = asyncio.open_connection("localhost", port, {ssl = client_ctx(cert)})
        local line = r:readline()
        w:close()
        return line
      end)
      local how
      if ok then
        how = answer == "" and "refused (end of file)" or "served: " .. answer:gsub("\n", "")
      else
        how = asyncio.SSLError:is(answer) and "refused (SSLError)" or
          asyncio.ConnectionError:is(answer) and "refused (connection error)" or tostring(answer)
      end
      -- how exactly a refusal shows differs by timing; that it is one does not
      print(mode, cert or "none", (how:gsub(" %(.*%)$", "")))
    end
    server:close()
    server:wait_closed()
    for _, s in ipairs(served) do print("", "served:", s) end
  end
end)
