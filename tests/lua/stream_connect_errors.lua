-- both
-- Connecting: refused, a name that does not resolve, a missing Unix socket; errors carry errno and strerror
local asyncio = require "asyncio"

asyncio.run(function()
  -- a port nobody listens on: take one, then close it
  local server = asyncio.start_server(function() end, "127.0.0.1", 0)
  local port = server.sockets[1].port
  server:close()
  server:wait_closed()

  local ok, e = pcall(asyncio.open_connection, "127.0.0.1", port)
  print(ok, asyncio.ConnectionRefusedError:is(e), asyncio.ConnectionError:is(e), asyncio.OSError:is(e))
  print(e.errno, e.strerror, e.name)
  print(tostring(e) == "ConnectionRefusedError: [Errno 111] Connection refused (connect to 127.0.0.1:" .. port .. ")")

  ok, e = pcall(asyncio.open_connection, "no-such-host.invalid", 80)
  print(ok, asyncio.OSError:is(e), type(e.errno), type(e.strerror))

  ok, e = pcall(asyncio.open_unix_connection, "/nonexistent/aiod.sock")
  print(ok, asyncio.FileNotFoundError:is(e), e.errno)

  -- a port the resolver can't take
  ok, e = pcall(function() local r = asyncio.open_connection("127.0.0.1", 70000); return r end)
  print(ok, e)
end)
