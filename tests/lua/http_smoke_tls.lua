-- both
-- asyncio.http over TLS: the test CA as cafile or capath verifies, without it SSLCertVerificationError, wrong host, verify = false, a client certificate
local asyncio = require "asyncio"
local http = asyncio.http
local D = os.getenv("AIOD_TEST_CERTS")

local function serve(r, w)
  while true do
    local line = r:readline()
    if line == "" then break end
    repeat local h = r:readline() until h == "\r\n" or h == ""
    w:write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure")
    w:drain()
  end
  w:close()
end

asyncio.run(function()
  local function server_ctx(name)
    local ctx = asyncio.ssl.create_default_context(asyncio.ssl.Purpose.CLIENT_AUTH)
    ctx:load_cert_chain(D .. "/" .. name .. ".pem", D .. "/" .. name .. ".key")
    return ctx
  end
  local function handler(r, w) pcall(serve, r, w) end
  local good = asyncio.start_server(handler, "127.0.0.1", 0, {ssl = server_ctx("server")})
  local wrong = asyncio.start_server(handler, "127.0.0.1", 0, {ssl = server_ctx("wronghost")})
  local url = ("https://localhost:%d/"):format(good.sockets[1].port)
  local wrong_url = ("https://localhost:%d/"):format(wrong.sockets[1].port)

  -- Sessions closed before the servers: an idle TLS connection left in a
  -- pool keeps its handler in the TLS shutdown (aiod serving on).
  local s1 = http.Session{cafile = D .. "/ca.pem"}
  local r = s1:get(url)
  print(r.status, r.body, r.http_version)
  local s2 = http.Session{capath = D .. "/cadir"}
  print(s2:get(url).body)
  local ok, e = pcall(http.get, url)
  print(ok, e.name, e.verify_code, e.verify_message)
  ok, e = pcall(s1.get, s1, wrong_url)
  print(ok, e.name, e.verify_code, e.verify_message)
  local s3 = http.Session{verify = false}
  print(s3:get(wrong_url).body)
  s1:close(); s2:close(); s3:close()

  -- a client certificate (cert, key) for a server that requires one
  local mctx = server_ctx("server")
  mctx:load_verify_locations(D .. "/ca.pem")
  mctx.verify_mode = asyncio.ssl.CERT_REQUIRED
  local mutual = asyncio.start_server(function(r, w)
    local peer = w:get_extra_info("peercert")
    r:readline()
    repeat local h = r:readline() until h == "\r\n" or h == ""
    local cn = "-"
    for _, rdn in ipairs(peer and peer.subject or {}) do
      for _, kv in ipairs(rdn) do if kv[1] == "commonName" then cn = kv[2] end end
    end
    w:write(("HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"):format(#cn, cn))
    w:close()
  end, "127.0.0.1", 0, {ssl = mctx})
  local murl = ("https://localhost:%d/"):format(mutual.sockets[1].port)
  local s4 = http.Session{cafile = D .. "/ca.pem", cert = D .. "/client.pem", key = D .. "/client.key"}
  print("client cert:", s4:get(murl).body)
  s4:close()
  mutual:close()
  good:close(); good:close_clients()
  wrong:close(); wrong:close_clients()
end)
