-- echo server for aiod on 127.0.0.1 at every PORT given (echo and conns give one, scale several): asyncio.start_server; each handler reads up to 64 KiB, writes it back, drains.
local asyncio = require "asyncio"

local function handle(reader, writer)
  while true do
    local data = reader:read(65536)
    if data == "" then break end
    writer:write(data)
    writer:drain()
  end
end

for i = 1, #arg do
  asyncio.start_server(handle, "127.0.0.1", assert(tonumber(arg[i])))
end
-- The main chunk returns; the servers serve on.
