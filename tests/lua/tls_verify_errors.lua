-- both
-- Self-signed, expired and wrong-host certificates: SSLCertVerificationError with Python's verify_code and verify_message; the handler never runs for them and the server goes on serving
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

local function server_ctx(name)
  local ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
  ctx:load_cert_chain(C .. name .. ".pem", C .. name .. ".key")
  return ctx
end
local client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})
local trusting = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})
trusting.check_hostname = false
trusting.verify_mode = ssl.CERT_NONE

asyncio.run(function()
  local function try(cert, host, opts)
    local served = 0
    local server = asyncio.start_server(function(r, w)
      served = served + 1
      w:write("hello\n")
    end, "127.0.0.1", 0, {ssl = server_ctx(cert)})
    local port = server.sockets[1].port
    opts = opts or {}
    opts.ssl = opts.ssl or client_ctx
    local ok, r, w = pcall(asyncio.open_connection, host, port, opts)
    if ok then
      io.write(cert, " ", host, " ok ", r:readline())
      w:close()
    else
      local e = r
      print(cert, host, e.name, e.verify_code, e.verify_message)
      print("", asyncio.SSLCertVerificationError:is(e), asyncio.SSLError:is(e), asyncio.OSError:is(e),
        ssl.SSLCertVerificationError:is(e), tostring(e):find(e.verify_message, 1, true) ~= nil)
    end
    -- the next client is served (it does not check the certificate)
    r, w = asyncio.open_connection("127.0.0.1", port, {ssl = trusting})
    io.write("\tnext client: ", r:readline())
    w:close()
    w:wait_closed()
    server:close()
    server:wait_closed()
    print("", "served:", served)
  end
  print("same classes:", ssl.SSLError == asyncio.SSLError,
    ssl.SSLCertVerificationError == asyncio.SSLCertVerificationError)
  try("server", "localhost")
  try("selfsigned", "localhost")
  try("expired", "localhost")
  try("wronghost", "localhost")
  -- an IP address is checked against the IP SANs
  try("server", "127.0.0.1")
  try("wronghost", "127.0.0.1")
  -- server_hostname is what is checked, not host
  try("server", "127.0.0.1", {server_hostname = "wrong.example"})
  try("wronghost", "127.0.0.1", {server_hostname = "wrong.example"})
  -- "" turns the name check off, not the chain's
  try("wronghost", "127.0.0.1", {server_hostname = ""})
  try("selfsigned", "127.0.0.1", {server_hostname = ""})
  -- ssl = true: the system store, which does not hold the test CA
  try("server", "localhost", {ssl = true})
end)
