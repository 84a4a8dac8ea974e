-- both
-- A handler that raises fails alone: its connection is closed, the error is reported, other clients are served
local asyncio = require "asyncio"

asyncio.run(function()
  local server = asyncio.start_server(function(r, w)
    local line = r:readline()
    if line == "boom\n" then error("handler failed on purpose") end
    w:write("echo " .. line)
  end, "127.0.0.1", 0)
  local port = server.sockets[1].port
  local rb, wb = asyncio.open_connection("127.0.0.1", port)
  local r1, w1 = asyncio.open_connection("127.0.0.1", port)
  wb:write("boom\n")
  print("failing client sees EOF:", ("%q"):format(rb:read()))
  w1:write("fine\n")
  print(r1:readline())
  local r2, w2 = asyncio.open_connection("127.0.0.1", port)
  w2:write("still serving\n")
  print(r2:readline())
  for _, w in ipairs({wb, w1, w2}) do w:close() end
  server:close()
  server:wait_closed()
end)
