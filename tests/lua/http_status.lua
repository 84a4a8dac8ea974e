-- both
-- raise_for_status: HTTPStatusError with status and response for 4xx/5xx, nothing for 2xx/3xx
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
  for _, status in ipairs{200, 201, 302, 400, 404, 418, 500, 599} do
    local r = http.get(base .. "/status/" .. status, {follow_redirects = false})
    local ok, e = pcall(r.raise_for_status, r)
    if ok then
      print(status, "ok")
    else
      print(status, asyncio.HTTPStatusError:is(e), e.status, e.response == r, e.response.body,
            tostring(e):find(tostring(status), 1, true) ~= nil)
    end
  end
  stop(p)
end)
