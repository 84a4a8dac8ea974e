-- both
-- TLS versions negotiated from minimum_version / maximum_version on both ends (tls_version, cipher), no common version refuses the connection, and an unverified peer's peercert is {} (as Python's getpeercert())
local asyncio = require "asyncio"
local ssl = asyncio.ssl
local C = os.getenv("AIOD_TEST_CERTS") .. "/"

asyncio.run(function()
  local function try(smin, smax, cmin, cmax, cert, verify)
    cert = cert or "server"
    local s = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    s:load_cert_chain(C .. cert .. ".pem", C .. cert .. ".key")
    if smin then s.minimum_version = smin end
    if smax then s.maximum_version = smax end
    local c = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, {cafile = C .. "ca.pem"})
    if verify == false then
      c.check_hostname = false
      c.verify_mode = ssl.CERT_NONE
    end
    if cmin then c.minimum_version = cmin end
    if cmax then c.maximum_version = cmax end
    local seen = asyncio.Future()
    local served = 0
    local server = asyncio.start_server(function(r, w)
      served = served + 1
      seen:set_result({w:get_extra_info("cipher")})
    end, "127.0.0.1", 0, {ssl = s})
    local label = table.concat({smin or "-", smax or "-", cmin or "-", cmax or "-"}, " ")
    local ok, r, w = pcall(asyncio.open_connection, "localhost", server.sockets[1].port, {ssl = c})
    if ok then
      local name, protocol, bits = w:get_extra_info("cipher")
      local sc = seen:await()
      local cert = w:get_extra_info("peercert")
      print(label, w:get_extra_info("tls_version"), name, protocol, bits,
        sc[1] == name and sc[2] == protocol and sc[3] == bits, next(cert) == nil and "{}" or cert.serialNumber)
      w:close()
    else
      print(label, "refused", asyncio.OSError:is(r), served)
    end
    server:close()
    server:wait_closed()
  end
  try(nil, nil, nil, nil)
  try(nil, "TLSv1.2", nil, nil)
  try(nil, nil, nil, "TLSv1.2")
  try("TLSv1.2", "TLSv1.2", "TLSv1.2", "TLSv1.3")
  try("TLSv1.3", nil, nil, "TLSv1.2")
  try(nil, "TLSv1.2", "TLSv1.3", nil)
  -- not verified: the certificate is not reported
  try(nil, nil, nil, nil, "selfsigned", false)
  try(nil, "TLSv1.2", nil, nil, "selfsigned", false)
end)
