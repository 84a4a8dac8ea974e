-- both
-- timeout: a server that accepts and never answers, one that stalls mid-body (TimeoutError fast, the server sees the close); connect_timeout; timeout=false
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop
local stats, until_stats = T.stats, T.until_stats

asyncio.run(function()
  local p, base, hole = server()
  local t0 = asyncio.get_running_loop():time()
  local ok, e = pcall(http.get, base .. "/never", {timeout = 0.1})
  local dt = asyncio.get_running_loop():time() - t0
  print("never", ok, asyncio.TimeoutError:is(e), asyncio.OSError:is(e), dt >= 0.09 and dt < 1)
  print("server saw the close", until_stats(base, function(st) return st.aborted == 1 end).aborted)

  t0 = asyncio.get_running_loop():time()
  ok, e = pcall(http.get, base .. "/stall", {timeout = 0.1})
  dt = asyncio.get_running_loop():time() - t0
  print("stall", ok, asyncio.TimeoutError:is(e), dt >= 0.09 and dt < 1)
  print("server saw the close", until_stats(base, function(st) return st.aborted == 2 end).aborted)

  -- a listening socket whose accept queue is full: the SYN goes unanswered
  t0 = asyncio.get_running_loop():time()
  ok, e = pcall(http.get, "http://127.0.0.1:" .. hole .. "/", {connect_timeout = 0.1})
  dt = asyncio.get_running_loop():time() - t0
  print("connect_timeout", ok, asyncio.TimeoutError:is(e), dt >= 0.09 and dt < 1)

  -- a whole-request timeout that is not reached, and none at all
  local r = http.get(base .. "/slow?ms=50", {timeout = 2})
  print("in time", r.status, r.body, r.elapsed >= 0.045 and r.elapsed < 1)
  r = http.get(base .. "/slow?ms=50", {timeout = false})
  print("no timeout", r.status, r.body)
  -- a Session's default timeout, and a request overriding it
  local s <close> = http.Session{timeout = 0.05}
  ok, e = pcall(s.get, s, base .. "/slow?ms=300")
  print("session timeout", ok, asyncio.TimeoutError:is(e))
  r = s:get(base .. "/slow?ms=100", {timeout = 2})
  print("overridden", r.status)
  stop(p)
end)
