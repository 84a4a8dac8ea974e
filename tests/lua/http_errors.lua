-- both
-- faults: refused port (ConnectionRefusedError), unresolvable name (OSError naming the host), body over max_body (HTTPError), bad URL (HTTPError); a 4xx/5xx never raises
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop

asyncio.run(function()
  local p, base = server()
  -- a port nobody listens on: take one, then close it
  local s = asyncio.start_server(function() end, "127.0.0.1", 0)
  local port = s.sockets[1].port
  s:close()
  s:wait_closed()
  local ok, e = pcall(http.get, "http://127.0.0.1:" .. port .. "/")
  print("refused", ok, asyncio.ConnectionRefusedError:is(e), asyncio.OSError:is(e), asyncio.HTTPError:is(e))

  ok, e = pcall(http.get, "http://nope.invalid/x")
  print("unresolvable", ok, asyncio.OSError:is(e), asyncio.TimeoutError:is(e),
        tostring(e):find("nope.invalid", 1, true) ~= nil)

  ok, e = pcall(http.get, base .. "/big?n=2000", {max_body = 1000})
  print("max_body", ok, asyncio.HTTPError:is(e), asyncio.OSError:is(e), type(e.message))
  local r = http.get(base .. "/big?n=2000", {max_body = 2000})
  print("max_body exact", r.status, #r.body)
  r = http.get(base .. "/big?n=100000")
  print("no max_body", #r.body)

  ok, e = pcall(http.get, "notascheme://127.0.0.1/")
  print("bad scheme", ok, asyncio.HTTPError:is(e))

  for _, status in ipairs{404, 500, 503, 301} do
    r = http.get(base .. "/status/" .. status, {follow_redirects = false})
    print(status, r.status, r.ok, r.body)
  end
  print("2xx only", http.get(base .. "/status/201").ok, http.get(base .. "/status/299").ok,
        http.get(base .. "/status/300").ok == false)
  stop(p)
end)
