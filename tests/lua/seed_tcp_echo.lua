-- both
-- port of the seed's TCP echo client, against an echo server started in the same script on a free port
local asyncio = require "asyncio"

local function handle_echo(reader, writer)
  local data = reader:read(100)
  writer:write(data)
  writer:drain()
  writer:close()
  writer:wait_closed()
end

local function tcp_echo_client(message, port)
  local reader, writer = asyncio.open_connection("127.0.0.1", port)

  print(("Send: '%s'"):format(message))
  writer:write(message)
  writer:drain()

  local data = reader:read(100)
  print(("Received: '%s'"):format(data))

  print("Close the connection")
  writer:close()
  writer:wait_closed()
end

asyncio.run(function()
  local server <close> = asyncio.start_server(handle_echo, "127.0.0.1", 0)
  tcp_echo_client("Hello World!", server.sockets[1].port)
end)
