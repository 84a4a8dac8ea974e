-- httpserver.lua -- what the HTTP client tests share: tests/http/server.py in a child process, and its figures
-- (not a test itself: tests/lua/run.sh runs only NAME_NAME.lua files)
local asyncio = require "asyncio"
local http = asyncio.http
local T = {}

-- server(args...) -> the process, the base URL, a port where connecting hangs
function T.server(...)
  local argv = {"/usr/bin/python3", "-I", "../http/server.py", ...}
  argv[#argv + 1] = {stdin = asyncio.PIPE, stdout = asyncio.PIPE}
  local p = asyncio.create_subprocess_exec(table.unpack(argv))
  local port, hole = p.stdout:readline():match("^(%d+) (%d+)")
  return p, "http://127.0.0.1:" .. port, hole
end

function T.stop(p) p.stdin:close(); p:wait() end

-- The server's figures (its /stats); until_stats(base, pred) polls them
-- until pred is true (up to 2 s).
function T.stats(base)
  return http.get(base .. "/stats"):json()
end

function T.until_stats(base, pred)
  for _ = 1, 200 do
    local st = T.stats(base)
    if pred(st) then return st end
    asyncio.sleep(0.01)
  end
  return T.stats(base)
end

return T
