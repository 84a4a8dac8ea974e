-- both
-- the module functions' default Session is one per loop: asyncio.run twice, each with its own; a request in flight when the loop's main function returns is cancelled
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

for round = 1, 2 do
  asyncio.run(function()
    local p, base = server()
    local r = http.get(base .. "/echo")
    print("round", round, r.status, http.get(base .. "/status/201").status)
    -- left running: run() cancels it as the main function returns
    asyncio.create_task(function() http.get(base .. "/never") end)
    asyncio.sleep(0.05)
    stop(p)
  end)
end
print("done")
