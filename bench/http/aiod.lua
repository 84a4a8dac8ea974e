-- keep-alive HTTP/1.1 hello server for aiod on 127.0.0.1:PORT (arg 1): asyncio.start_server; readuntil the request head, write the answer, drain.
local asyncio = require "asyncio"

local RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!"

local function handle(reader, writer)
  while true do
    -- IncompleteReadError when the client closes (or a reset) ends the connection
    if not pcall(reader.readuntil, reader, "\r\n\r\n") then break end
    writer:write(RESPONSE)
    writer:drain()
  end
end

local server = asyncio.start_server(handle, "127.0.0.1", assert(tonumber(arg[1])))
server:serve_forever()
