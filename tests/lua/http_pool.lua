-- both
-- a Session's pool: 200 concurrent requests with max_connections_per_host = 4 (the server sees at most 4 connections), keep-alive reuse for sequential requests, the default Session of the module functions
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop
local stats, until_stats = T.stats, T.until_stats

asyncio.run(function()
  local p, base = server()
  -- sequential requests on a Session: one connection
  do
    local s <close> = http.Session()
    for i = 1, 5 do assert(s:get(base .. "/echo").status == 200) end
    s:post(base .. "/echo", {body = "x"})
    local st = stats(base)
    print("sequential", st.total, st.open)
  end
  -- the Session closed: its connection closes
  print("closed", until_stats(base, function(st) return st.open == 0 end).open)

  -- the module functions share one default Session
  for i = 1, 3 do http.get(base .. "/echo") end
  print("module functions", stats(base).total - 1)

  -- 200 at once, 4 connections per host at most (besides the default Session's one, open)
  local open_before = stats(base).open
  local s = http.Session{max_connections_per_host = 4}
  local tasks = {}
  for i = 1, 200 do tasks[i] = asyncio.create_task(function() return s:get(base .. "/slow?ms=2").body end) end
  local all = asyncio.gather(table.unpack(tasks))
  local n = 0
  for _, b in ipairs(all) do if b == "slow" then n = n + 1 end end
  local st = stats(base)
  print("200 requests", n, st.hits["/slow"], open_before, st.max_open - open_before <= 4, st.max_open - open_before >= 2, st.total - 2 <= 4)
  s:close()
  print("s:close()", until_stats(base, function(st2) return st2.open == 1 end).open)

  -- max_connections caps the whole pool as well
  local total_before = stats(base).total
  s = http.Session{max_connections = 2}
  tasks = {}
  for i = 1, 50 do tasks[i] = asyncio.create_task(function() return s:get(base .. "/slow?ms=2").status end) end
  asyncio.gather(table.unpack(tasks))
  st = stats(base)
  print("max_connections", st.hits["/slow"], st.total - total_before <= 2, st.total - total_before >= 1)
  s:close()
  stop(p)
end)
