-- scale workload's server for aiod: an echo server on every port given as arguments (many ports, since one client address reaches one port from only ~28,000 ephemeral ports).
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
