-- TLS echo server for aiod on 127.0.0.1:PORT (args: PORT CERT KEY): start_server with an ssl context; each handler reads up to 64 KiB, writes it back, drains.
local asyncio = require "asyncio"

local port, cert, key = assert(tonumber(arg[1])), assert(arg[2]), assert(arg[3])
local ctx = asyncio.ssl.create_default_context(asyncio.ssl.Purpose.CLIENT_AUTH)
ctx:load_cert_chain(cert, key)

local function handle(reader, writer)
  while true do
    local data = reader:read(65536)
    if data == "" then break end
    writer:write(data)
    writer:drain()
  end
end

local server = asyncio.start_server(handle, "127.0.0.1", port, {ssl = ctx})
server:serve_forever()
