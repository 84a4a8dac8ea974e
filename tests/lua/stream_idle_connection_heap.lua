-- An idle served connection stays small in the Lua heap: a few slots more in the frame that serves it
-- once doubled every connection's coroutine stack, +640 B each; each frame under the handler costs
-- 64 B (stream_handler_frames), the reader's userdata 96 B (issue 16)
local asyncio = require "asyncio"
local N = 200

asyncio.run(function()
  local server = asyncio.start_server(function(r, w)
    while true do
      local d = r:read(65536)
      if d == "" then break end
      w:write(d)
      w:drain()
    end
  end, "127.0.0.1", 0)
  local port = server.sockets[1].port
  collectgarbage() collectgarbage()
  local before = collectgarbage("count")
  local conns = {}
  for i = 1, N do
    local r, w = asyncio.open_connection("127.0.0.1", port)
    w:write("hello\n")
    r:readline()
    conns[i] = {r, w}
  end
  asyncio.sleep(0)
  collectgarbage() collectgarbage()
  local per_pair = (collectgarbage("count") - before) * 1024 / N
  -- both ends of each connection: about 1,950 B (2,210 B with serve in Lua under xpcall, a peer
  -- name string and a 152 B reader at each end); with the doubled stack about 2,750 B
  print("under 2,100 B per connection, both ends:", per_pair < 2100 or per_pair)
  for _, c in ipairs(conns) do c[2]:close() end
  server:close()
end)
