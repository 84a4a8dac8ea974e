-- both
-- A writer that drains against a reader that does not read stops at a bound; cancel in drain; the reader then gets every byte
local asyncio = require "asyncio"

asyncio.run(function()
  local start_reading = asyncio.Event()
  local received = 0
  local done = asyncio.Event()
  local server = asyncio.start_server(function(r, w)
    start_reading:wait()
    while true do
      local data = r:read(65536)
      if data == "" then break end
      received = received + #data
    end
    done:set()
  end, "127.0.0.1", 0)
  local reader, writer = asyncio.open_connection("127.0.0.1", server.sockets[1].port)
  local chunk = string.rep("x", 65536)
  local sent = 0
  local writing = asyncio.create_task(function()
    while true do
      writer:write(chunk)
      sent = sent + #chunk
      writer:drain()
    end
  end)
  asyncio.sleep(0.05)
  -- the kernel's socket buffers take a few MiB; without drain this would be GiBs
  print("drain held the writer back:", sent < 64 * 1024 * 1024)
  writing:cancel()
  print("cancelled in drain:", select(2, pcall(writing.await, writing)).name)
  start_reading:set()
  writer:close()
  writer:wait_closed()
  done:wait()
  print("every byte arrived:", received == sent)
  server:close()
end)
