-- both
-- HTTPS: the test CA by cafile and capath, no CA (SSLCertVerificationError), verify=false, a client certificate (cert, key) to a server requiring one
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop

local C = os.getenv("AIOD_TEST_CERTS") .. "/"
asyncio.run(function()
  local p, base = server("--tls", C)
  base = base:gsub("^http:", "https:")
  local r = http.get(base .. "/echo", {cafile = C .. "ca.pem"})
  print("cafile", r.status, r.http_version, r:json().method, r.url == base .. "/echo")
  r = http.get(base .. "/echo", {capath = C .. "cadir"})
  print("capath", r.status)
  local ok, e = pcall(http.get, base .. "/echo")
  print("no CA", ok, asyncio.SSLCertVerificationError:is(e), asyncio.ssl.SSLCertVerificationError:is(e),
        asyncio.OSError:is(e))
  ok, e = pcall(http.get, base .. "/echo", {cafile = C .. "empty.pem"})
  print("empty CA file", ok, asyncio.OSError:is(e))
  r = http.get(base .. "/echo", {verify = false})
  print("verify=false", r.status)
  -- a Session keeps its TLS options
  local s <close> = http.Session{cafile = C .. "ca.pem"}
  print("session", s:get(base .. "/echo").status, s:get(base .. "/status/404").status)
  stop(p)

  -- a server requiring a client certificate
  p, base = server("--tls", C, "--client-cert")
  base = base:gsub("^http:", "https:")
  ok, e = pcall(http.get, base .. "/echo", {cafile = C .. "ca.pem"})
  print("no client cert", ok, asyncio.OSError:is(e))
  r = http.get(base .. "/echo", {cafile = C .. "ca.pem", cert = C .. "client.pem", key = C .. "client.key"})
  print("client cert", r.status)
  -- (a Session of its own: the default one keeps the connection made with the right key)
  local s2 <close> = http.Session()
  ok, e = pcall(s2.get, s2, base .. "/echo", {cafile = C .. "ca.pem", cert = C .. "client.pem", key = C .. "other.key"})
  print("key not matching", ok, asyncio.OSError:is(e))
  stop(p)
end)
