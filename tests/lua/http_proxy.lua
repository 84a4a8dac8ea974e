-- both
-- proxy: a request for a name that does not resolve goes to the proxy (tests/http/server.py answers absolute-form requests), which sees the full URL's host
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop

asyncio.run(function()
  local p, base = server()
  local r = http.get("http://example.invalid/echo?a=1", {proxy = base})
  local e = r:json()
  print(r.status, e.headers.host, e.query, r.url)
  local s <close> = http.Session{proxy = base}
  print("session", s:get("http://other.invalid/echo"):json().headers.host)
  stop(p)
end)
