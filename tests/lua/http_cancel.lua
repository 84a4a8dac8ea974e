-- both
-- cancellation mid-body aborts the transfer at once and closes its connection (the server sees it): task:cancel, wait_for, a timeout scope, a TaskGroup; the loop goes on serving
local asyncio = require "asyncio"
local http = asyncio.http

local T = dofile("httpserver.lua")
local server, stop = T.server, T.stop
local stats, until_stats = T.stats, T.until_stats

asyncio.run(function()
  local p, base = server()
  local loop = asyncio.get_running_loop()
  -- wait until the server has sent the head and 10 bytes of the body
  local function in_body(n) until_stats(base, function(st) return (st.hits["/stall"] or 0) >= n end); asyncio.sleep(0.02) end

  local t = asyncio.create_task(function() return http.get(base .. "/stall") end)
  in_body(1)
  local t0 = loop:time()
  t:cancel()
  local ok, e = pcall(t.await, t)
  print("cancel", ok, asyncio.CancelledError:is(e), t:cancelled(), loop:time() - t0 < 0.5)
  print("server saw the close", until_stats(base, function(st) return st.aborted == 1 end).aborted)

  ok, e = pcall(asyncio.wait_for, asyncio.async(function() return http.get(base .. "/stall") end)(), 0.1)
  print("wait_for", ok, asyncio.TimeoutError:is(e))
  print("server saw the close", until_stats(base, function(st) return st.aborted == 2 end).aborted)

  ok, e = pcall(function()
    local _ <close> = asyncio.timeout(0.1)
    return http.get(base .. "/stall")
  end)
  print("timeout scope", ok, asyncio.TimeoutError:is(e))
  print("server saw the close", until_stats(base, function(st) return st.aborted == 3 end).aborted)

  -- a stream=true request cancelled while it reads the body
  t = asyncio.create_task(function()
    local r = http.get(base .. "/stall", {stream = true})
    return r:read()  -- to the end, which never comes
  end)
  in_body(4)
  t:cancel()
  print("stream cancel", pcall(t.await, t) == false, t:cancelled())
  print("server saw the close", until_stats(base, function(st) return st.aborted == 4 end).aborted)

  ok, e = pcall(function()
    local tg <close> = asyncio.TaskGroup()
    tg:create_task(function() http.get(base .. "/stall") end)
    tg:create_task(function() http.get(base .. "/never") end)
    tg:create_task(function() asyncio.sleep(0.1); error("boom") end)
  end)
  print("task group", ok, asyncio.ExceptionGroup:is(e), e.exceptions and #e.exceptions)
  print("server saw both close", until_stats(base, function(st) return st.aborted == 6 end).aborted)

  -- many cancelled at once (a Session of their own: stats() goes through the default one)
  local s <close> = http.Session{max_connections_per_host = 20}
  local tasks = {}
  for i = 1, 20 do tasks[i] = asyncio.create_task(function() return s:get(base .. "/never") end) end
  until_stats(base, function(st) return (st.hits["/never"] or 0) >= 21 end)
  for _, task in ipairs(tasks) do task:cancel() end
  local cancelled = 0
  for _, task in ipairs(tasks) do if not pcall(task.await, task) and task:cancelled() then cancelled = cancelled + 1 end end
  print("20 cancelled", cancelled, until_stats(base, function(st) return st.aborted == 26 end).aborted)

  -- requests queued behind max_connections_per_host, cancelled before they have a connection
  local q <close> = http.Session{max_connections_per_host = 2}
  tasks = {}
  for i = 1, 5 do tasks[i] = asyncio.create_task(function() return q:get(base .. "/never") end) end
  until_stats(base, function(st) return st.hits["/never"] >= 23 end)
  asyncio.sleep(0.05)
  local t0 = loop:time()
  for _, task in ipairs(tasks) do task:cancel() end
  cancelled = 0
  for _, task in ipairs(tasks) do if not pcall(task.await, task) and task:cancelled() then cancelled = cancelled + 1 end end
  print("queued cancelled", cancelled, loop:time() - t0 < 0.5, stats(base).hits["/never"],
        until_stats(base, function(st) return st.aborted == 28 end).aborted)
  local r = http.get(base .. "/echo")
  print("still works", r.status)
  stop(p)
end)
