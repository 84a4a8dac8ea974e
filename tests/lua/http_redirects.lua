-- both
-- redirects: followed (url after them), follow_redirects=false gives the 3xx, a loop with max_redirects: N followed, the next fails with HTTPError
local asyncio = require "asyncio"
local http = asyncio.http

-- tests/http/server.py in a child: → the process, the base URL, a port where connecting hangs
local function server(...)
  local argv = {"/usr/bin/python3", "-I", "../http/server.py", ...}
  argv[#argv + 1] = {stdin = asyncio.PIPE, stdout = asyncio.PIPE}
  local p = asyncio.create_subprocess_exec(table.unpack(argv))
  local port, hole = p.stdout:readline():match("^(%d+) (%d+)")
  return p, "http://127.0.0.1:" .. port, hole
end
local function stop(p) p.stdin:close(); p:wait() end
-- the server's figures (tests/http/server.py /stats), as integers (cjson decodes every number
-- as a float); until_stats(base, pred) polls them until pred is true (up to 2 s)
local function stats(base)
  local st = http.get(base .. "/stats"):json()
  for _, t in ipairs{st, st.hits} do
    for k, v in pairs(t) do if type(v) == "number" then t[k] = math.tointeger(v) end end
  end
  return st
end
local function until_stats(base, pred)
  for _ = 1, 200 do
    local st = stats(base)
    if pred(st) then return st end
    asyncio.sleep(0.01)
  end
  return stats(base)
end

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
