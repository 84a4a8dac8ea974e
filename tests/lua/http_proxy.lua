-- both
-- proxy: a request for a name that does not resolve goes to the proxy (tests/http/server.py answers absolute-form requests), which sees the full URL's host
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

asyncio.run(function()
  local p, base = server()
  local r = http.get("http://example.invalid/echo?a=1", {proxy = base})
  local e = r:json()
  print(r.status, e.headers.host, e.query, r.url)
  local s <close> = http.Session{proxy = base}
  print("session", s:get("http://other.invalid/echo"):json().headers.host)
  stop(p)
end)
