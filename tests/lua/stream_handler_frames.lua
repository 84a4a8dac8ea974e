-- A connection's handler runs one frame above its coroutine's base (the C serve, the task's body
-- itself), so a handler parked in a read keeps two CallInfos (64 B each) besides the read's own:
-- serve once was a Lua function calling the handler through xpcall, and then a C function under
-- the task's own body, one and two frames more for every idle connection (issue 16).
local asyncio = require "asyncio"

local function frames()
  local n = 0
  while debug.getinfo(n + 2, "l") do n = n + 1 end
  return n
end

asyncio.run(function()
  local done = asyncio.get_running_loop():create_future()
  local server = asyncio.start_server(function(r, w)
    print("frames from the handler down:", frames())
    w:write(r:readline())
    w:drain()
    done:set_result(frames())
  end, "127.0.0.1", 0)
  local r, w = asyncio.open_connection("127.0.0.1", server.sockets[1].port)
  w:write("hello\n")
  print("echoed:", r:readline() == "hello\n")
  print("after a read, still:", done:await())
  w:close()
  server:close()
  server:wait_closed()
end)
