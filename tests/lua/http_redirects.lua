-- both
-- redirects: followed (url after them), follow_redirects=false gives the 3xx, a loop with max_redirects: N followed, the next fails with HTTPError
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop
local stats, until_stats = T.stats, T.until_stats

asyncio.run(function()
  local p, base = server()
  local r = http.get(base .. "/redirect/3")
  print("followed", r.status, r.body, r.url == base .. "/redirect/0")
  r = http.get(base .. "/redirect/3", {follow_redirects = false})
  print("not followed", r.status, r.headers.location, r.url == base .. "/redirect/3", r.ok)
  r = http.get(base .. "/redirect/3", {max_redirects = 3})
  print("exactly max", r.status, r.body)
  local ok, e = pcall(http.get, base .. "/redirect/4", {max_redirects = 3})
  print("one too many", ok, asyncio.HTTPError:is(e), asyncio.OSError:is(e), asyncio.TimeoutError:is(e))

  ok, e = pcall(http.get, base .. "/loop", {max_redirects = 5})
  print("loop", ok, asyncio.HTTPError:is(e), tostring(e):find("redirect", 1, true) ~= nil)
  print("loop hits", stats(base).hits["/loop"])  -- the first request and 5 redirects followed
  local before = stats(base).hits["/loop"]
  ok, e = pcall(http.get, base .. "/loop")
  print("default 10", ok, asyncio.HTTPError:is(e), stats(base).hits["/loop"] - before)
  ok, e = pcall(http.get, base .. "/loop", {max_redirects = 0})
  print("max 0", ok, asyncio.HTTPError:is(e))
  stop(p)
end)
