-- both
-- Cancellation paths: serve_forever (closes the server), wait_closed, readexactly, run_coroutine_threadsafe's task, run_in_executor's Task
local asyncio = require "asyncio"

asyncio.run(function()
  local server = asyncio.start_server(function(r) r:read() end, "127.0.0.1", 0)
  local port = server.sockets[1].port
  local forever = asyncio.create_task(function() server:serve_forever() end)
  asyncio.sleep(0)
  forever:cancel()
  print("serve_forever cancelled:", select(2, pcall(forever.await, forever)).name, server:is_serving())
  local ok, e = pcall(asyncio.open_connection, "127.0.0.1", port)
  print("then refused:", ok, e.name)

  -- wait_closed waits for a handler; cancelling the waiter leaves the server alone
  server = asyncio.start_server(function(r) r:read() end, "127.0.0.1", 0)
  local r, w = asyncio.open_connection("127.0.0.1", server.sockets[1].port)
  asyncio.sleep(0.01)
  server:close()
  local waiter = asyncio.create_task(function() server:wait_closed() end)
  asyncio.sleep(0)
  waiter:cancel()
  print("wait_closed cancelled:", select(2, pcall(waiter.await, waiter)).name)
  -- readexactly cancelled with part of its bytes there: they stay readable
  local reader_server = asyncio.start_server(function(_, sw) sw:write("abc") asyncio.sleep(0.05) sw:write("def") end,
    "127.0.0.1", 0)
  local rr, rw = asyncio.open_connection("127.0.0.1", reader_server.sockets[1].port)
  local t = asyncio.create_task(function() return rr:readexactly(10) end)
  asyncio.sleep(0.01)
  t:cancel()
  print("readexactly cancelled:", select(2, pcall(t.await, t)).name)
  print("bytes kept:", rr:readexactly(6))
  w:close()
  rw:close()
  server:wait_closed()
  reader_server:close()

  -- the loop's task of run_coroutine_threadsafe cancelled: the worker gets CancelledError
  print(pcall(asyncio.to_thread, function()
    local aio = require "asyncio"
    local h = aio.run_coroutine_threadsafe(function()
      local a = require "asyncio"
      a.current_task():cancel()
      a.sleep(1)
    end)
    local ok, err = pcall(h.result, h)
    return ok, type(err) == "table" and err.name or err
  end))

  -- run_in_executor's Task cancelled: the thread runs on, the result is dropped
  local fut = asyncio.get_running_loop():run_in_executor(nil, function() os.execute("sleep 0.05") return 1 end)
  asyncio.sleep(0.01)
  fut:cancel()
  print("run_in_executor cancelled:", pcall(fut.await, fut), fut:cancelled())
end)
